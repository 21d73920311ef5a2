/**
 * Search filters, validation and the answers of a deployment without vectors, against a real
 * Weaviate started without the transformers module (`useWeaviate({ vectorizer: 'none' })`) and
 * holding the sample, loaded by the real `esco-init init` with ESCO_VECTORIZER=none: search is
 * bm25 by default, every filter removes exactly the concepts the CSVs say it should, and the
 * vector features answer that there are no vectors. The same filters in vector and hybrid modes:
 * vectors.int.test.ts. Expected sets come from the CSVs (sample.ts), not from the code under test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useWeaviate } from '../support/weaviate.ts';
import {
  filterChecks,
  inCollection,
  iscoStartsWith,
  type Params,
  SKILL_TYPES,
  splittingIscoPrefixes,
} from './filtering.ts';
import { broadQuery, readSample, type Sample } from './sample.ts';
import { type Hit, SAMPLE, storedVectors, useSearchService } from './service.ts';

const weaviate = useWeaviate({ vectorizer: 'none' });
const service = useSearchService(weaviate);
let sample: Sample;
const { search, expectFilter } = filterChecks(service, () => sample);

beforeAll(async () => {
  sample = await readSample(SAMPLE);
  const init = await service.esco(['init']);
  if (init.code !== 0) throw new Error(`esco-init init exited ${init.code}:\n${init.stderr.slice(-3000)}`);
  await service.start();
});

describe('filters (bm25: the collections have no vectors)', () => {
  it('skillType: only skills of that type', async () => {
    for (const skillType of SKILL_TYPES) {
      const found = await expectFilter('skill', { skillType }, (c) => c.columns.skillType === skillType);
      expect(found.body).toMatchObject({ mode: 'bm25', filters: { skillType } });
    }
  });

  it('reuseLevel: only skills of that level', async () => {
    for (const reuseLevel of ['transversal', 'cross-sector', 'sector-specific', 'occupation-specific']) {
      await expectFilter('skill', { reuseLevel }, (c) => c.columns.reuseLevel === reuseLevel);
    }
  });

  it('collection: members of that collection', async () => {
    await expectFilter('skill', { collection: 'digitalSkills' }, inCollection('digitalSkills'));
    await expectFilter('occupation', { collection: 'researchOccupations' }, inCollection('researchOccupations'));
  });

  it('collection: several, comma-separated or repeated, are members of ANY of them', async () => {
    const either = inCollection('digitalSkills', 'greenSkills');
    const commas = await expectFilter('skill', { collection: 'digitalSkills,greenSkills' }, either);
    const repeated = await expectFilter('skill', { collection: ['digitalSkills', 'greenSkills'] }, either);
    expect(repeated.uris).toEqual(commas.uris);
    expect(commas.body.filters).toEqual({ collections: ['digitalSkills', 'greenSkills'] });
  });

  it('isco: occupations whose ISCO group code starts with the digits (Weaviate `like` "<digits>*")', async () => {
    const prefixes = splittingIscoPrefixes(sample);
    expect(prefixes.length).toBeGreaterThan(1);
    for (const isco of prefixes) await expectFilter('occupation', { isco }, iscoStartsWith(isco));
  });

  it('isco: digits inside or at the end of a code do not match', async () => {
    const q = broadQuery(sample.occupations.values());
    const codes = [...sample.occupations.values()].map((c) => c.columns.iscoGroup ?? '');
    const inner = [...new Set(codes.flatMap((code) => [code.slice(1, 3), code.slice(2)]))].filter(
      (digits) => !codes.some((code) => code.startsWith(digits)),
    );
    expect(inner.length).toBeGreaterThan(0);
    for (const isco of inner) {
      const found = await search({ q, type: 'occupation', isco });
      expect(found.status).toBe(200);
      expect([...found.uris], `isco=${isco}`).toEqual([]);
    }
  });

  it('several filters: all must hold', async () => {
    await expectFilter(
      'skill',
      { skillType: 'skill/competence', collection: 'digitalSkills,greenSkills' },
      (c) => c.columns.skillType === 'skill/competence' && inCollection('digitalSkills', 'greenSkills')(c),
    );
  });
});

describe('400s against the real data', () => {
  const bad = async (params: Params) => {
    const answer = await search({ q: 'cider', ...params });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error).toBe('bad_request');
    return answer.body.issues as { path: string; message: string }[];
  };

  it('a collection the data does not hold, listing those it does', async () => {
    const [issue] = await bad({ collection: 'languageSkills' });
    expect(issue?.path).toBe('collection');
    expect(issue?.message).toContain('it has: digitalSkills, greenSkills, researchOccupations');
  });

  it('a collection without members of the searched type', async () => {
    const [issue] = await bad({ collection: 'researchOccupations' });
    expect(issue).toEqual({ path: 'collection', message: expect.stringContaining('use type=occupation') });
    const [other] = await bad({ type: 'occupation', collection: 'greenSkills' });
    expect(other).toEqual({ path: 'collection', message: expect.stringContaining('use type=skill') });
  });

  it('a filter for the other type', async () => {
    expect((await bad({ type: 'occupation', skillType: 'knowledge' }))[0]?.path).toBe('skillType');
    expect((await bad({ type: 'occupation', reuseLevel: 'transversal' }))[0]?.path).toBe('reuseLevel');
    expect((await bad({ isco: '25' }))[0]?.path).toBe('isco');
  });

  it('an unknown parameter', async () => {
    expect((await bad({ skilltype: 'knowledge' }))[0]).toEqual({
      path: 'skilltype',
      message: expect.stringContaining('unknown parameter'),
    });
  });
});

describe('without vectors (vectorizer none)', () => {
  it('Weaviate runs no vectorizer and holds no vector for any skill or occupation', async () => {
    expect(weaviate()).toMatchObject({ vectorizer: 'none', inference: undefined });
    for (const [collection, concepts] of [
      ['Skill', sample.skills],
      ['Occupation', sample.occupations],
    ] as const) {
      const stored = await storedVectors(weaviate().url, collection);
      expect(stored.vectorizer, collection).toBe('none');
      expect(stored.lengths, collection).toEqual(Array.from({ length: concepts.size }, () => 0));
    }
  });

  it('runs bm25 by default and says so, with no alpha', async () => {
    const found = await search({ q: 'cider presses' });
    expect(found.status).toBe(200);
    expect(found.body.mode).toBe('bm25');
    expect(found.body).not.toHaveProperty('alpha');
    expect((found.body.results as Hit[])[0]?.score).toBeGreaterThan(0);
    expect((await search({ q: 'cider presses', mode: 'bm25' })).body.mode).toBe('bm25');
  });

  it.each(['vector', 'hybrid'])(
    'mode=%s is a 400 that says there are no vectors and to use mode=bm25',
    async (mode) => {
      const answer = await search({ q: 'cider', mode });
      expect(answer.status).toBe(400);
      expect(answer.body.issues).toEqual([{ path: 'mode', message: expect.stringMatching(/no vectors.*mode=bm25/) }]);
    },
  );

  it('alpha is a 400 that says there are no vectors', async () => {
    const answer = await search({ q: 'cider', alpha: 0.5 });
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: 'alpha', message: expect.stringMatching(/no vectors.*mode=bm25/) }]);
  });

  it('/similar is a 409 for skills and occupations; a bad limit is still a 400', async () => {
    const skill = [...sample.skills.keys()][0] ?? '';
    const occupation = [...sample.occupations.keys()][0] ?? '';
    const routes: [string, string][] = [
      ['skills', skill],
      ['occupations', occupation],
    ];
    for (const [route, uri] of routes) {
      const id = uri.split('/').pop();
      const answer = await service.get(`/${route}/${id}/similar?limit=5`);
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({
        error: 'no_vectors',
        message: expect.stringContaining('mode=bm25'),
        generation: expect.any(Number),
        fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
      expect(answer.headers.get('ESCO-Generation')).toBe(String(answer.body.generation));
      const encoded = await service.get(`/${route}/${encodeURIComponent(uri)}/similar`);
      expect(encoded.status).toBe(409);
      const badLimit = await service.get(`/${route}/${id}/similar?limit=0`);
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.issues).toEqual([{ path: 'limit', message: expect.any(String) }]);
    }
  });
});
