/**
 * The Weaviate filter a search's filter parameters become. All of them are on field-tokenized
 * properties (resources/schemas/*.yaml), so `equal` is an exact match of the whole value.
 */
import weaviate, { Filters, type FilterValue } from 'weaviate-client';
import type { ReuseLevel, SkillType } from '../esco/records.ts';

export interface SearchFilters {
  skillType?: SkillType;
  reuseLevel?: ReuseLevel;
  /** Collection keys: the concept belongs to any of them. */
  collections?: string[];
  /** Start of an ISCO-08 group code, 1 to 4 digits. */
  isco?: string;
}

/** One filter for all the given parameters (they must all hold), or undefined for none. */
export function buildFilter(f: SearchFilters): FilterValue | undefined {
  const by = (property: string) => weaviate.filter.byProperty(property);
  const parts: FilterValue[] = [];
  if (f.skillType !== undefined) parts.push(by('skillType').equal(f.skillType));
  if (f.reuseLevel !== undefined) parts.push(by('reuseLevel').equal(f.reuseLevel));
  if (f.collections?.length) parts.push(by('collections').containsAny(f.collections));
  // `like` with a trailing wildcard on a field-tokenized code is a prefix match of the whole code
  // (isco=25 finds 2511 and 2529, not 1250), checked against the real server in the tests.
  if (f.isco !== undefined) parts.push(by('iscoGroupCode').like(`${f.isco}*`));
  if (parts.length <= 1) return parts[0];
  return Filters.and(...parts);
}

/** The concept itself, left out of its own neighbours. */
export function excludingId(id: string): FilterValue {
  return weaviate.filter.byId().notEqual(id);
}
