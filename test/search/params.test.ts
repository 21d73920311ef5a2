/**
 * The query strings of the search service: what parses, and the 400 (BadRequest) each bad
 * parameter or combination gives, naming the parameter.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest, parseInput } from '../../src/http-errors.ts';
import { parseSearchQuery, SimilarQuerySchema } from '../../src/search/params.ts';

/** The issues a query string is refused with (fails the test when it is accepted). */
function refusal(query: Record<string, string | string[]>): { path: string; message: string }[] {
  try {
    parseSearchQuery(query);
  } catch (error) {
    if (error instanceof BadRequest) return error.issues;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(query)}`);
}

const paths = (query: Record<string, string | string[]>) => refusal(query).map((i) => i.path);

describe('parseSearchQuery', () => {
  it('fills the defaults: type skill, limit 10, no mode or alpha (decided later), no filters', () => {
    expect(parseSearchQuery({ q: ' python ' })).toEqual({
      q: 'python',
      type: 'skill',
      limit: 10,
      mode: undefined,
      alpha: undefined,
      filters: {},
    });
  });

  it('reads every parameter', () => {
    const skill = parseSearchQuery({
      q: 'data',
      limit: '25',
      mode: 'hybrid',
      alpha: '0.25',
      skillType: 'skill/competence',
      reuseLevel: 'cross-sector',
      collection: 'digitalSkills',
    });
    expect(skill).toMatchObject({ limit: 25, mode: 'hybrid', alpha: 0.25 });
    expect(skill.filters).toEqual({
      skillType: 'skill/competence',
      reuseLevel: 'cross-sector',
      collections: ['digitalSkills'],
    });
    const occupation = parseSearchQuery({ q: 'developer', type: 'occupation', isco: '25', mode: 'bm25' });
    expect(occupation).toMatchObject({ type: 'occupation', mode: 'bm25', filters: { isco: '25' } });
  });

  it('takes collection repeated, comma-separated or both, without duplicates', () => {
    const { filters } = parseSearchQuery({
      q: 'x',
      collection: ['digitalSkills, greenSkills', 'transversalSkills', 'digitalSkills'],
    });
    expect(filters.collections).toEqual(['digitalSkills', 'greenSkills', 'transversalSkills']);
  });

  it('takes alpha at both ends and in between', () => {
    for (const [text, value] of [
      ['0', 0],
      ['1', 1],
      ['1.0', 1],
      ['.5', 0.5],
      ['0.75', 0.75],
    ] as const) {
      expect(parseSearchQuery({ q: 'x', alpha: text }).alpha).toBe(value);
    }
  });

  it('takes isco codes of 1 to 4 digits', () => {
    for (const isco of ['2', '25', '251', '2511'])
      expect(parseSearchQuery({ q: 'x', type: 'occupation', isco }).filters.isco).toBe(isco);
  });
});

describe('400: each bad parameter is named', () => {
  it.each([
    ['q missing', {}, 'q'],
    ['q empty', { q: '  ' }, 'q'],
    ['q too long', { q: 'x'.repeat(201) }, 'q'],
    ['q repeated', { q: ['a', 'b'] }, 'q'],
    ['type unknown', { q: 'x', type: 'course' }, 'type'],
    ['limit 0', { q: 'x', limit: '0' }, 'limit'],
    ['limit over 100', { q: 'x', limit: '101' }, 'limit'],
    ['limit not a number', { q: 'x', limit: 'ten' }, 'limit'],
    ['limit fractional', { q: 'x', limit: '2.5' }, 'limit'],
    ['mode unknown', { q: 'x', mode: 'semantic' }, 'mode'],
    ['mode empty', { q: 'x', mode: '' }, 'mode'],
    ['alpha over 1', { q: 'x', alpha: '1.5' }, 'alpha'],
    ['alpha negative', { q: 'x', alpha: '-0.1' }, 'alpha'],
    ['alpha empty', { q: 'x', alpha: '' }, 'alpha'],
    ['alpha not a number', { q: 'x', alpha: 'half' }, 'alpha'],
    ['alpha exponent', { q: 'x', alpha: '1e-1' }, 'alpha'],
    ['skillType unknown', { q: 'x', skillType: 'competence' }, 'skillType'],
    ['reuseLevel unknown', { q: 'x', reuseLevel: 'global' }, 'reuseLevel'],
    ['collection empty', { q: 'x', collection: '' }, 'collection'],
    ['collection only commas', { q: 'x', collection: ',,' }, 'collection'],
    ['collection not a key', { q: 'x', collection: 'digital skills' }, 'collection'],
    [
      'collection too many',
      { q: 'x', collection: Array.from({ length: 21 }, (_, i) => `c${i}`).join(',') },
      'collection',
    ],
    ['isco letters', { q: 'x', type: 'occupation', isco: 'C25' }, 'isco'],
    ['isco five digits', { q: 'x', type: 'occupation', isco: '25111' }, 'isco'],
    ['isco empty', { q: 'x', type: 'occupation', isco: '' }, 'isco'],
    ['unknown parameter', { q: 'x', skilltype: 'knowledge' }, 'skilltype'],
  ])('%s', (_case, query, parameter) => {
    expect(paths(query)).toEqual([parameter]);
  });

  it('names every bad parameter at once', () => {
    expect(paths({ q: '', type: 'course', limit: '500' }).sort()).toEqual(['limit', 'q', 'type']);
  });

  it('lists the accepted parameters for an unknown one', () => {
    expect(refusal({ q: 'x', sort: 'label' })[0]?.message).toMatch(
      /unknown parameter; \/search takes q, type, limit, mode/,
    );
  });

  it('says what a bad collection key is', () => {
    expect(refusal({ q: 'x', collection: 'digitalSkills,green-skills' })[0]?.message).toContain('"green-skills"');
  });
});

describe('400: a filter for the other type, alpha without hybrid', () => {
  it.each([
    ['skillType', { q: 'x', type: 'occupation', skillType: 'knowledge' }, 'skills only'],
    ['reuseLevel', { q: 'x', type: 'occupation', reuseLevel: 'transversal' }, 'skills only'],
    ['isco', { q: 'x', isco: '25' }, 'occupations only'],
    ['isco', { q: 'x', type: 'skill', isco: '25' }, 'occupations only'],
    ['alpha', { q: 'x', mode: 'bm25', alpha: '0.5' }, 'mode=hybrid only'],
    ['alpha', { q: 'x', mode: 'vector', alpha: '0.5' }, 'mode=hybrid only'],
  ])('%s', (parameter, query, says) => {
    const issues = refusal(query);
    expect(issues.map((i) => i.path)).toEqual([parameter]);
    expect(issues[0]?.message).toContain(says);
  });

  it('names both skill filters on an occupation search', () => {
    expect(paths({ q: 'x', type: 'occupation', skillType: 'knowledge', reuseLevel: 'transversal' })).toEqual([
      'skillType',
      'reuseLevel',
    ]);
  });
});

describe('SimilarQuerySchema', () => {
  it('defaults limit to 10 and refuses anything else', () => {
    expect(parseInput(SimilarQuerySchema, {})).toEqual({ limit: 10 });
    expect(parseInput(SimilarQuerySchema, { limit: '3' })).toEqual({ limit: 3 });
    for (const query of [{ limit: '0' }, { limit: '101' }, { limit: 'x' }, { q: 'x' }]) {
      expect(() => parseInput(SimilarQuerySchema, query)).toThrow(BadRequest);
    }
  });
});
