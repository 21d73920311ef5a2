/**
 * The filter checks every ranking mode shares (filters.int.test.ts: bm25 without vectors;
 * vectors.int.test.ts: vector and hybrid): a filtered search finds exactly the unfiltered
 * search's hits that the CSVs say pass the filter. Expected sets come from the CSVs (sample.ts),
 * not from the code under test.
 */
import { expect } from 'vitest';
import type { ConceptType } from '../../src/search/concepts.ts';
import { broadQuery, type Concept, type Sample } from './sample.ts';
import { type Answer, type Hit, query, type SearchService } from './service.ts';

export type Params = Record<string, string | number | string[]>;
export type Found = Answer & { uris: Set<string> };

export interface FilterChecks {
  /** GET /search with limit 100 (more than the sample holds of either type) and the base parameters. */
  search(params: Params): Promise<Found>;
  /**
   * Searches the broad query of `type` with and without `filter`: the filtered hits are exactly
   * the unfiltered hits that pass; and the filter removed some and kept some, so the comparison
   * means something. Resolves with the filtered answer.
   */
  expectFilter(type: ConceptType, filter: Params, passes: (c: Concept) => boolean): Promise<Found>;
}

/** `sample` is a getter: test files read the CSVs in beforeAll, after this is called. */
export function filterChecks(service: SearchService, sample: () => Sample, base: Params = {}): FilterChecks {
  async function search(params: Params): Promise<Found> {
    const answer = await service.get(`/search?${query({ limit: 100, ...base, ...params })}`);
    const results = (answer.body.results ?? []) as Hit[];
    return { ...answer, uris: new Set(results.map((h) => h.uri)) };
  }

  async function expectFilter(type: ConceptType, filter: Params, passes: (c: Concept) => boolean) {
    const concepts = conceptsOf(sample(), type);
    const q = broadQuery(concepts.values());
    const all = await search({ q, type });
    const filtered = await search({ q, type, ...filter });
    expect(filtered.status, JSON.stringify(filtered.body)).toBe(200);
    const expected = [...all.uris].filter((uri) => {
      const concept = concepts.get(uri);
      if (!concept) throw new Error(`search found ${uri}, which is not in the CSVs`);
      return passes(concept);
    });
    expect(filtered.uris, JSON.stringify(filter)).toEqual(new Set(expected));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.uris.size);
    return filtered;
  }

  return { search, expectFilter };
}

export function conceptsOf(sample: Sample, type: ConceptType): Map<string, Concept> {
  return type === 'skill' ? sample.skills : sample.occupations;
}

export const SKILL_TYPES = ['knowledge', 'skill/competence'] as const;

/** Members of any of the collections. */
export const inCollection =
  (...keys: string[]) =>
  (c: Concept) =>
    keys.some((key) => c.collections.has(key));

export const iscoStartsWith = (prefix: string) => (c: Concept) => (c.columns.iscoGroup ?? '').startsWith(prefix);

/**
 * Every start (1 to 4 digits) of the sample's ISCO group codes that keeps some occupations and
 * removes others; a prefix all of them share removes nothing and proves nothing.
 */
export function splittingIscoPrefixes(sample: Sample): string[] {
  const occupations = [...sample.occupations.values()];
  const codes = new Set(occupations.map((c) => c.columns.iscoGroup ?? ''));
  const prefixes = new Set([...codes].flatMap((code) => [1, 2, 3, 4].map((n) => code.slice(0, n))));
  return [...prefixes].sort().filter((prefix) => !occupations.every(iscoStartsWith(prefix)));
}
