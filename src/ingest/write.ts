/**
 * The two write passes. New objects first, as placeholders: no properties, no references and a
 * PENDING hash (references embedded in an object need their targets to exist, and a placeholder
 * costs the server no text indexing, so every text is indexed once); then every object whose
 * stored hash differs from the plan is written whole: properties, complete reference lists and
 * the final hash, in one upsert. A crash anywhere leaves objects whose stored hash differs from
 * the plan, so a re-run repairs exactly those. Objects no longer in the dataset are deleted last,
 * after everything that pointed at them has been rewritten without them. In a new generation an
 * object whose vectorized text the published generation holds is written with its vector
 * (carry.ts): only new and changed texts cost the vectorizer an inference call.
 */
import { isEscoInitError } from '../errors.ts';
import type { PassName } from '../lease/lease-store.ts';
import {
  type BatchOptions,
  type BatchResult,
  deleteObjects,
  describeFailures,
  type WriteFailure,
  type WriteObject,
  type WriteTarget,
  writeObjects as writeBatch,
  writeFailed,
} from '../weaviate/batch-writer.ts';
import { inferenceUnavailable } from '../weaviate/vectorizer.ts';
import { type CarrySource, carrySources, readCarried, writeInGroups } from './carry.ts';
import { diffCollection, hashesOf, readStoredHashes, type StoredHashes } from './changes.ts';
import { checkpoint, type IngestContext, physicalName, throwIfInterrupted } from './context.ts';
import type { CollectionPlan, Plan, PlannedObject } from './plan.ts';

/** Stored as contentHash until the references pass has written the object completely. */
export const PENDING_HASH = 'pending';

/** The objects pass's write of a new object: a placeholder that references can point at. */
export function placeholderOf(o: Pick<PlannedObject, 'id' | 'uri'>): WriteObject {
  return { id: o.id, json: '{}', properties: { contentHash: PENDING_HASH }, label: o.uri };
}

/** The references pass's write: the whole object, with the hash that says it is complete. */
export function wholeOf(o: PlannedObject): WriteObject {
  return { id: o.id, json: o.json, properties: { contentHash: o.hash }, references: o.references, label: o.uri };
}

/** The whole object with the vector carried over from the published generation (carry.ts), if any. */
export function wholeWith(o: PlannedObject, vector: Float32Array | undefined): WriteObject {
  return vector ? { ...wholeOf(o), vector } : wholeOf(o);
}

export interface CollectionCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface ObjectsReport {
  /** What this run found to do, per collection, when it started (before any write). */
  collections: Record<string, CollectionCounts>;
  /** Objects created by this pass (new ones, as placeholders). */
  written: number;
  ms: number;
}

export interface ReferencesReport {
  collections: Record<string, { written: number; deleted: number; references: number; carried: number }>;
  /** Objects written whole (properties + references + final hash). */
  written: number;
  /** Of those, objects written with the published generation's vector: no inference call. */
  carried: number;
  deleted: number;
  /** References carried by the written objects. */
  references: number;
  ms: number;
}

const namesOf = (plan: Plan) => plan.collections.map((c) => c.name);

/**
 * Creates the objects Weaviate does not hold yet, as placeholders. `stored` (from
 * readStoredHashes, changes.ts) saves re-reading when the caller just read it; it is updated with what this
 * pass writes. `streamed`: placeholders already written while the dataset was read.
 */
export async function writeObjects(
  plan: Plan,
  ctx: IngestContext,
  stored?: StoredHashes,
  streamed?: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<ObjectsReport> {
  const started = performance.now();
  const report: ObjectsReport = { collections: {}, written: 0, ms: 0 };
  const state = stored ?? (await readStoredHashes(namesOf(plan), ctx));
  for (const collection of plan.collections) {
    throwIfInterrupted(ctx.signal);
    const hashes = hashesOf(state, collection.name);
    const diff = diffCollection(collection, hashes);
    report.collections[collection.name] = {
      added: diff.added.length,
      updated: diff.changed.length,
      unchanged: diff.unchanged,
      deleted: diff.stale.length,
    };
    const early = streamed?.get(collection.name);
    const objects = (early ? diff.added.filter((o) => !early.has(o.id)) : diff.added).map(placeholderOf);
    const skipped = collection.objects.length - objects.length;
    const options = batchOptions(ctx, 'objects', collection.name, skipped, collection.objects.length);
    const result = await writeCollection(ctx, collection, objects, options, 'objects pass');
    for (const o of diff.added) hashes.set(o.id, PENDING_HASH);
    report.written += result.written + (diff.added.length - objects.length);
    ctx.log.info(
      {
        collection: collection.name,
        ...report.collections[collection.name],
        created: result.written,
        createdWhileReading: diff.added.length - objects.length,
      },
      'objects pass',
    );
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * Writes every object whose stored hash differs from the plan whole, then deletes stale objects.
 * `onWritten` hears of each collection once its objects are written (before any deletion).
 */
export async function writeReferences(
  plan: Plan,
  ctx: IngestContext,
  stored?: StoredHashes,
  onWritten?: (collection: string) => void,
): Promise<ReferencesReport> {
  const started = performance.now();
  const report: ReferencesReport = { collections: {}, written: 0, carried: 0, deleted: 0, references: 0, ms: 0 };
  const stale = new Map<string, string[]>();
  const state = stored ?? (await readStoredHashes(namesOf(plan), ctx));
  const sources = await carrySources(ctx);
  for (const collection of plan.collections) {
    throwIfInterrupted(ctx.signal);
    const hashes = hashesOf(state, collection.name);
    const diff = diffCollection(collection, hashes);
    stale.set(collection.name, diff.stale);
    const dirty = [...diff.added, ...diff.changed];
    const references = dirty.reduce((n, o) => n + Object.values(o.references).reduce((a, ids) => a + ids.length, 0), 0);
    const options = batchOptions(ctx, 'references', collection.name, diff.unchanged, collection.objects.length);
    const { written, carried } = await writeWhole(ctx, collection, dirty, options, sources.get(collection.name));
    for (const o of dirty) hashes.set(o.id, o.hash);
    report.collections[collection.name] = { written, deleted: 0, references, carried };
    report.written += written;
    report.carried += carried;
    report.references += references;
    ctx.log.info({ collection: collection.name, written, references, carried }, 'references pass');
    onWritten?.(collection.name);
  }
  for (const [name, ids] of stale) {
    if (ids.length === 0) continue;
    const options = batchOptions(ctx, 'deletes', name, 0, ids.length);
    const result = await deleteObjects(ctx.client, physicalName(ctx, name), ids, options);
    if (result.failures.length > 0)
      throw writeFailed(`deleting objects no longer in the dataset (${name})`, result.failures);
    const counts = report.collections[name];
    if (counts) counts.deleted = result.written;
    for (const id of ids) state.get(name)?.delete(id);
    report.deleted += result.written;
    ctx.log.info({ collection: name, deleted: result.written }, 'deleted objects no longer in the dataset');
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** Writes `dirty` whole; with a source, a group at a time with the vectors it carries over. */
async function writeWhole(
  ctx: IngestContext,
  collection: CollectionPlan,
  dirty: readonly PlannedObject[],
  options: BatchOptions,
  source: CarrySource | undefined,
): Promise<{ written: number; carried: number }> {
  const pass = 'references pass';
  if (!source) {
    const result = await writeCollection(ctx, collection, dirty.map(wholeOf), options, pass);
    return { written: result.written, carried: 0 };
  }
  const write = (group: readonly PlannedObject[], vectors: Map<string, Float32Array>) =>
    writeCollection(
      ctx,
      collection,
      group.map((o) => wholeWith(o, vectors.get(o.id))),
      options,
      pass,
    );
  const { results, carried } = await writeInGroups(dirty, (group) => readCarried(ctx, source, group), write);
  return { written: results.reduce((n, r) => n + r.written, 0), carried };
}

/** Writes the objects; a failure is the vectorizer's when the module has lost its inference service. */
async function writeCollection(
  ctx: IngestContext,
  collection: CollectionPlan,
  objects: readonly WriteObject[],
  options: BatchOptions,
  pass: string,
): Promise<BatchResult> {
  let result: BatchResult;
  try {
    result = await writeBatch(ctx.rest, targetOf(ctx, collection), objects, options);
  } catch (error) {
    throw await blameVectorizer(ctx, collection.name, error, []);
  }
  if (result.failures.length === 0) return result;
  const failed = writeFailed(`${pass} (${collection.name})`, result.failures);
  throw await blameVectorizer(ctx, collection.name, failed, result.failures);
}

/**
 * A write that failed on a vectorized collection while Weaviate's module cannot reach its
 * inference service is reported as that (exit 5, naming the service's URL as Weaviate tried it),
 * with the objects it left unwritten; anything else is returned as it was.
 */
async function blameVectorizer(
  ctx: IngestContext,
  collection: string,
  error: unknown,
  failures: readonly WriteFailure[],
): Promise<unknown> {
  const vectors = ctx.vectors;
  if (!vectors?.collections.has(collection) || !isEscoInitError(error, 'WRITE_FAILED')) return error;
  const reason = await vectors.diagnose().catch((e: Error) => `GET /v1/meta failed: ${e.message}`);
  if (reason === null) return error;
  const unwritten = failures.length > 0 ? describeFailures(failures) : error.message;
  const what = `${collection} objects could not be vectorized (${unwritten})`;
  return inferenceUnavailable(vectors.module, reason, what, { cause: error, details: { failures } });
}

function targetOf(ctx: IngestContext, collection: CollectionPlan): WriteTarget {
  const referenceTargets = Object.fromEntries(
    Object.entries(collection.referenceTargets).map(([prop, target]) => [prop, physicalName(ctx, target)]),
  );
  return { collection: physicalName(ctx, collection.name), referenceTargets };
}

/** The context's batching, fencing and retry budget, as every write of a pass uses them. */
export function writeOptions(ctx: IngestContext): BatchOptions {
  return {
    batchSize: ctx.batchSize,
    concurrency: ctx.concurrency,
    checkpoint: () => checkpoint(ctx),
    signal: ctx.signal,
    log: ctx.log,
    maxAttempts: ctx.maxAttempts,
  };
}

function batchOptions(
  ctx: IngestContext,
  pass: PassName,
  collection: string,
  skipped: number,
  total: number,
): BatchOptions {
  let done = skipped;
  ctx.onProgress({ pass, collection, done, total });
  return {
    ...writeOptions(ctx),
    onChunk: (count) => {
      done += count;
      ctx.onProgress({ pass, collection, done, total });
    },
  };
}
