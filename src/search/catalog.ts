/**
 * Which ESCO collections the data holds, and of which concepts. The keys come from the data (the
 * reader names a collection after its file), so `collection=` is checked against what ingestion
 * stored, not against a list kept here.
 */

import { BadRequest, type Issue } from '../http-errors.ts';
import type { ConceptType } from './concepts.ts';
import type { Pin } from './generation-pin.ts';

/** Collection key → how many skills and occupations are its members. */
export type CollectionMembers = ReadonlyMap<string, Readonly<Record<ConceptType, number>>>;

const OTHER: Record<ConceptType, ConceptType> = { skill: 'occupation', occupation: 'skill' };

/** Why `keys` cannot filter a search of `type`: unknown keys, or collections without such members. */
export function collectionIssues(keys: readonly string[], type: ConceptType, members: CollectionMembers): Issue[] {
  const issues: Issue[] = [];
  const unknown = keys.filter((k) => !members.has(k));
  if (unknown.length > 0) {
    const known = [...members.keys()].sort().join(', ') || 'none';
    issues.push({ path: 'collection', message: `no collection ${unknown.join(', ')} in the data; it has: ${known}` });
  }
  for (const key of keys) {
    const counts = members.get(key);
    if (!counts || counts[type] > 0) continue;
    const other = OTHER[type];
    const hint = counts[other] > 0 ? ` (its members are ${other}s: use type=${other})` : '';
    issues.push({ path: 'collection', message: `collection ${key} holds no ${type}s${hint}` });
  }
  return issues;
}

/**
 * The collections as last read, for the generation they were read from; read again before refusing
 * a key (a new ingest may add it) and for another generation.
 */
export class CollectionCatalog {
  readonly #load: (pin: Pin) => Promise<CollectionMembers>;
  #read: { generation: number | null; members: CollectionMembers } | undefined;

  constructor(load: (pin: Pin) => Promise<CollectionMembers>) {
    this.#load = load;
  }

  /** Throws a BadRequest unless every key names a collection of `pin`'s data with members of `type`. */
  async check(keys: readonly string[], type: ConceptType, pin: Pin): Promise<void> {
    const read = this.#read;
    if (read?.generation === pin.generation && collectionIssues(keys, type, read.members).length === 0) return;
    const members = await this.#load(pin);
    this.#read = { generation: pin.generation, members };
    const issues = collectionIssues(keys, type, members);
    if (issues.length > 0) throw new BadRequest(issues);
  }
}
