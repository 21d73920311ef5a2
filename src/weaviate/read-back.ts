/**
 * Reading stored objects back over REST, which returns the beacons as stored (rest.ts): a whole
 * collection page by page over id ranges read in parallel, or a few hundred objects one request
 * each. What the objects should hold is the caller's business (src/ingest/verify.ts).
 */
import { forEachChunk } from '../chunks.ts';
import type { Logger } from '../log.ts';
import { beaconIds, idRanges, type RestEndpoint, type RestObject, readRestObject, readRestPages } from './rest.ts';
import { VECTOR_NAME } from './schema.ts';

/** Where and how reads go: the run's REST endpoint, signal and log. */
export interface ReadBackContext {
  rest: RestEndpoint;
  signal: AbortSignal;
  log: Logger;
}

/** What to read of a collection's objects. */
export interface ReadSpec {
  /** The physical collection name. */
  name: string;
  refProps: readonly string[];
  /** With their vectors (`include=vector`): only the sizes are kept. */
  vectors: boolean;
}

/** A stored object as read back: its hash, reference lists and vector size. */
export interface Stored {
  id: string;
  hash: unknown;
  refs: Record<string, string[]>;
  /** Length of the stored vector; null: none; undefined: not read. */
  dims?: number | null;
}

/** Objects per id range read back concurrently: a few pages each, so the ranges stay balanced. */
const RANGE_SIZE = 2000;
/**
 * Objects per page read back. REST returns whole objects: 100 skills with their references are
 * ~400 KB of JSON, under the ~1 MB above which a reply text lives outside V8's heap (see
 * MAX_REQUEST_BYTES).
 */
const PAGE_SIZE = 100;
/** Pages read at once per collection: enough to keep the server busy beside the writes. */
const READ_CONCURRENCY = 2;
/** Objects read at once, one small REST request each. */
const BY_ID_CONCURRENCY = 8;

/**
 * Every stored object with its hash and reference lists, over REST (no target loading); the id
 * space is split into ranges read in parallel, so that the server and our parsing overlap.
 */
export async function readAll(
  ctx: ReadBackContext,
  spec: ReadSpec,
  ids: readonly string[],
  onPage: (page: Stored[]) => void,
): Promise<void> {
  const ranges = idRanges(ids, RANGE_SIZE);
  const options = { batchSize: 1, concurrency: READ_CONCURRENCY, checkpoint: async () => {} };
  // Vectors make a page ~4× larger: fewer objects per page keep a reply under ~1 MB.
  const pageSize = spec.vectors ? PAGE_SIZE / 4 : PAGE_SIZE;
  await forEachChunk(ranges, options, async ([range]) => {
    for await (const page of readRestPages(ctx.rest, spec.name, {
      ...range,
      pageSize,
      vectors: spec.vectors,
      signal: ctx.signal,
      log: ctx.log,
    })) {
      onPage(page.map((o) => storedOf(o, spec)));
    }
  });
}

/** The stored objects with these ids, whole (properties and beacons); missing ones are absent. */
export async function readByIds(
  ctx: ReadBackContext,
  spec: ReadSpec,
  ids: readonly string[],
): Promise<Map<string, RestObject>> {
  const out = new Map<string, RestObject>();
  const options = { signal: ctx.signal, log: ctx.log, vectors: spec.vectors };
  await forEachChunk(
    ids,
    { batchSize: 1, concurrency: BY_ID_CONCURRENCY, checkpoint: async () => ctx.signal.throwIfAborted() },
    async ([id]) => {
      const stored = id === undefined ? null : await readRestObject(ctx.rest, spec.name, id, options);
      if (stored) out.set(stored.id, stored);
    },
  );
  return out;
}

/** The hash, reference ids and vector size of an object read whole. */
export function storedOf(object: RestObject, spec: ReadSpec): Stored {
  const refs = Object.fromEntries(spec.refProps.map((p) => [p, beaconIds(object.properties[p])]));
  const stored: Stored = { id: object.id, hash: object.properties.contentHash, refs };
  if (spec.vectors) {
    const vector = object.vectors?.[VECTOR_NAME];
    stored.dims = Array.isArray(vector) && vector.length > 0 ? vector.length : null;
  }
  return stored;
}
