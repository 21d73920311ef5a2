/**
 * The Weaviate filter each search parameter becomes (the client's FilterValue, as sent). That
 * the server reads them as meant (`like` as a prefix match, `containsAny` as membership) is
 * shown against a real Weaviate by filters.int.test.ts (bm25) and vectors.int.test.ts (vector,
 * hybrid).
 */
import { describe, expect, it } from 'vitest';
import { buildFilter, excludingId } from '../../src/search/filters.ts';

const on = (property: string) => ({ property });

describe('buildFilter', () => {
  it('is no filter when no parameter is given', () => {
    expect(buildFilter({})).toBeUndefined();
    expect(buildFilter({ collections: [] })).toBeUndefined();
  });

  it('skillType and reuseLevel: equal on the field-tokenized property', () => {
    expect(buildFilter({ skillType: 'skill/competence' })).toEqual({
      operator: 'Equal',
      target: on('skillType'),
      value: 'skill/competence',
    });
    expect(buildFilter({ reuseLevel: 'sector-specific' })).toEqual({
      operator: 'Equal',
      target: on('reuseLevel'),
      value: 'sector-specific',
    });
  });

  it('collection: containsAny of the keys on `collections` (member of any)', () => {
    expect(buildFilter({ collections: ['digitalSkills', 'greenSkills'] })).toEqual({
      operator: 'ContainsAny',
      target: on('collections'),
      value: ['digitalSkills', 'greenSkills'],
    });
  });

  it('isco: like with a trailing wildcard on iscoGroupCode (a prefix match)', () => {
    expect(buildFilter({ isco: '25' })).toEqual({ operator: 'Like', target: on('iscoGroupCode'), value: '25*' });
    expect(buildFilter({ isco: '2511' })).toEqual({ operator: 'Like', target: on('iscoGroupCode'), value: '2511*' });
  });

  it('several parameters: all of them must hold (And)', () => {
    expect(
      buildFilter({ skillType: 'knowledge', reuseLevel: 'transversal', collections: ['transversalSkills'] }),
    ).toEqual({
      operator: 'And',
      value: null,
      filters: [
        { operator: 'Equal', target: on('skillType'), value: 'knowledge' },
        { operator: 'Equal', target: on('reuseLevel'), value: 'transversal' },
        { operator: 'ContainsAny', target: on('collections'), value: ['transversalSkills'] },
      ],
    });
  });
});

describe('excludingId', () => {
  it('is notEqual on the object id', () => {
    expect(excludingId('0b8e1d34-4f5e-5c1a-9d4e-1f2a3b4c5d6e')).toEqual({
      operator: 'NotEqual',
      target: on('_id'),
      value: '0b8e1d34-4f5e-5c1a-9d4e-1f2a3b4c5d6e',
    });
  });
});
