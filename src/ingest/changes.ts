/**
 * What a run has to write: the plan's content hashes against those Weaviate stores. An object
 * whose stored hash differs (or is missing, or still PENDING) is written whole; stored objects the
 * plan no longer names are stale. The hashes are read once per run and kept current by the writes.
 */
import { readHashes } from '../weaviate/cursor.ts';
import { type IngestContext, physicalName, throwIfInterrupted } from './context.ts';
import type { CollectionPlan, Plan, PlannedObject } from './plan.ts';

export interface CollectionDiff {
  added: PlannedObject[];
  changed: PlannedObject[];
  unchanged: number;
  stale: string[];
}

/** Collection → (id → stored contentHash): what Weaviate holds, read with the cursor. */
export type StoredHashes = Map<string, Map<string, string>>;

export async function readStoredHashes(collections: readonly string[], ctx: IngestContext): Promise<StoredHashes> {
  const stored: StoredHashes = new Map();
  for (const name of collections) {
    throwIfInterrupted(ctx.signal);
    stored.set(name, await readHashes(ctx.client, physicalName(ctx, name), ctx.signal));
  }
  return stored;
}

/** Ids of the objects a run will write whole: new ones and those whose stored hash differs. */
export function dirtyIds(plan: Plan, stored: StoredHashes): Set<string> {
  const ids = new Set<string>();
  for (const collection of plan.collections) {
    const hashes = stored.get(collection.name);
    for (const o of collection.objects) if (hashes?.get(o.id) !== o.hash) ids.add(o.id);
  }
  return ids;
}

export function diffCollection(plan: CollectionPlan, stored: ReadonlyMap<string, string>): CollectionDiff {
  const diff: CollectionDiff = { added: [], changed: [], unchanged: 0, stale: [] };
  const planned = new Set<string>();
  for (const object of plan.objects) {
    planned.add(object.id);
    const hash = stored.get(object.id);
    if (hash === undefined) diff.added.push(object);
    else if (hash !== object.hash) diff.changed.push(object);
    else diff.unchanged++;
  }
  for (const id of stored.keys()) if (!planned.has(id)) diff.stale.push(id);
  return diff;
}

/** The collection's stored hashes, an empty map added for a collection not read yet: writes record into it. */
export function hashesOf(state: StoredHashes, collection: string): Map<string, string> {
  let hashes = state.get(collection);
  if (!hashes) {
    hashes = new Map();
    state.set(collection, hashes);
  }
  return hashes;
}
