/**
 * Verification reads back what is stored and compares it with the plan:
 * - the object count of every collection;
 * - every stored object's content hash (the hash is written in the same upsert as the object's
 *   complete reference lists, so an equal hash means the object was written whole);
 * - the reference lists of every object written by this run (all of them by default; `ingest`
 *   passes the ones it wrote), so the reference totals equal the relation files' minus dangling
 *   rows: read back for those objects, and committed to by the hash for the others;
 * - a spread sample of objects, property by property and reference list by reference list.
 * Any difference fails with VERIFY_FAILED; nothing is marked complete that was not read back.
 */
import type { WeaviateClient } from 'weaviate-client';
import { EscoInitError } from '../errors.ts';
import { forEachChunk } from '../weaviate/batch-writer.ts';
import { readHashes, referencedIds } from '../weaviate/cursor.ts';
import { beaconIds, idRanges, readRestPages } from '../weaviate/rest.ts';
import { checkpoint, type IngestContext } from './context.ts';
import type { Properties } from './mapping.ts';
import { type CollectionPlan, type Plan, type PlannedObject, propertiesOf } from './plan.ts';
import type { StoredHashes } from './write.ts';

export interface CollectionVerification {
  objects: number;
  /** References read back from Weaviate. */
  referencesRead: number;
  /** References of objects not read back, whose stored hash commits to the plan's lists. */
  referencesByHash: number;
  sampled: number;
}

export interface VerifyReport {
  collections: Record<string, CollectionVerification>;
  objects: number;
  /** referencesRead + referencesByHash: equals the plan's total when verification passes. */
  references: number;
  referencesRead: number;
  sampled: number;
  ms: number;
}

export interface VerifyOptions {
  /** Objects compared property by property (spread over all collections). Default 200. */
  sampleSize?: number;
  /** Ids whose reference lists are read back. Default: every object. */
  readBack?: ReadonlySet<string>;
  /**
   * Hashes this run read after its last write (ingest passes them when it wrote nothing): used
   * instead of reading every hash again. Counts and the sample are always read afresh.
   */
  hashes?: StoredHashes;
  /**
   * Resolves once the named collection is final (nothing more will be written to it or deleted
   * from it in this run): verification of it waits for that, so it can run beside later writes.
   */
  ready?: (collection: string) => Promise<void>;
}

/** A stored object as verification sees it. */
interface Stored {
  id: string;
  hash: unknown;
  refs: Record<string, string[]>;
}

export async function verify(plan: Plan, ctx: IngestContext, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const problems: string[] = [];
  const report: VerifyReport = { collections: {}, objects: 0, references: 0, referencesRead: 0, sampled: 0, ms: 0 };
  const total = plan.collections.reduce((n, c) => n + c.objects.length, 0);
  // Reads of different collections overlap: the server answers one while we parse another.
  const verifyOne = async (collection: CollectionPlan) => {
    await options.ready?.(collection.name);
    const checked = await verifyCollection(ctx, collection, options, problems);
    const size = Math.ceil(((options.sampleSize ?? 200) * collection.objects.length) / Math.max(total, 1));
    const sample = pickSample(collection.objects, size);
    await verifySample(ctx.client, collection, sample, problems);
    report.collections[collection.name] = { ...checked, sampled: sample.length };
    report.objects += checked.objects;
    report.references += checked.referencesRead + checked.referencesByHash;
    report.referencesRead += checked.referencesRead;
    report.sampled += sample.length;
    ctx.onProgress({
      pass: 'verify',
      collection: collection.name,
      done: checked.objects,
      total: collection.objects.length,
    });
  };
  await forEachChunk(
    plan.collections,
    { batchSize: 1, concurrency: 3, checkpoint: () => checkpoint(ctx) },
    async ([c]) => {
      if (c) await verifyOne(c);
    },
  );
  report.ms = Math.round(performance.now() - started);
  if (problems.length > 0) {
    throw new EscoInitError(
      'VERIFY_FAILED',
      `verification found ${problems.length} problem(s): ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ' …' : ''}. Run again to repair (objects that differ from the dataset are rewritten).`,
      { details: { problems } },
    );
  }
  ctx.log.info({ ...report, collections: undefined }, 'verified');
  return report;
}

async function verifyCollection(
  ctx: IngestContext,
  collection: CollectionPlan,
  options: VerifyOptions,
  problems: string[],
): Promise<Omit<CollectionVerification, 'sampled'>> {
  const { readBack } = options;
  const name = collection.name;
  const count = await ctx.client.collections.use(name).length();
  if (count !== collection.objects.length)
    problems.push(`${name}: ${count} objects stored, ${collection.objects.length} expected`);
  const refProps = Object.keys(collection.referenceTotals);
  const byId = new Map(collection.objects.map((o) => [o.id, o]));
  const found: Record<string, number> = Object.fromEntries(refProps.map((p) => [p, 0]));
  const result = { objects: 0, referencesRead: 0, referencesByHash: 0 };
  const check = (stored: Stored, withRefs: boolean) => {
    const planned = byId.get(stored.id);
    if (!planned) return problems.push(`${name} ${stored.id}: stored but not in the dataset`);
    if (stored.hash !== planned.hash)
      problems.push(`${name} ${planned.uri}: stored hash ${String(stored.hash)} ≠ ${planned.hash}`);
    for (const prop of refProps) {
      const expected = planned.references[prop] ?? [];
      if (!withRefs) {
        found[prop] = (found[prop] ?? 0) + expected.length;
        result.referencesByHash += expected.length;
        continue;
      }
      const ids = [...(stored.refs[prop] ?? [])].sort();
      found[prop] = (found[prop] ?? 0) + ids.length;
      result.referencesRead += ids.length;
      if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
        problems.push(`${name} ${planned.uri}: ${prop} holds ${ids.length} references, ${expected.length} expected`);
      }
    }
  };
  const wanted = readBack ? collection.objects.filter((o) => readBack.has(o.id)) : collection.objects;
  if (readBack === undefined || wanted.length * 4 > collection.objects.length) {
    const ids = collection.objects.map((o) => o.id);
    await readAll(ctx, name, refProps, ids, (page) => {
      for (const stored of page) {
        result.objects++;
        check(stored, true);
      }
    });
  } else {
    const hashes = options.hashes?.get(name) ?? (await readHashes(ctx.client, name, ctx.signal));
    const refs = await readByIds(
      ctx.client,
      name,
      wanted.map((o) => o.id),
      refProps,
    );
    for (const [id, hash] of hashes) {
      result.objects++;
      check(refs.get(id) ?? { id, hash, refs: {} }, refs.has(id));
    }
    for (const o of wanted) if (!refs.has(o.id)) problems.push(`${name} ${o.uri}: not found when read back`);
  }
  for (const prop of refProps) {
    if (found[prop] !== collection.referenceTotals[prop]) {
      problems.push(`${name}.${prop}: ${found[prop]} references stored, ${collection.referenceTotals[prop]} expected`);
    }
  }
  return result;
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

/**
 * Every stored object with its hash and reference lists, over REST (no target loading); the id
 * space is split into ranges read in parallel, so that the server and our parsing overlap.
 */
async function readAll(
  ctx: IngestContext,
  name: string,
  refProps: string[],
  ids: readonly string[],
  onPage: (page: Stored[]) => void,
): Promise<void> {
  const ranges = idRanges(ids, RANGE_SIZE);
  const options = { batchSize: 1, concurrency: READ_CONCURRENCY, checkpoint: async () => {} };
  await forEachChunk(ranges, options, async ([range]) => {
    for await (const page of readRestPages(ctx.rest, name, {
      ...range,
      pageSize: PAGE_SIZE,
      signal: ctx.signal,
      log: ctx.log,
    })) {
      onPage(
        page.map((o) => ({
          id: o.id,
          hash: o.properties.contentHash,
          refs: Object.fromEntries(refProps.map((p) => [p, beaconIds(o.properties[p])])),
        })),
      );
    }
  });
}

async function readByIds(
  client: WeaviateClient,
  name: string,
  ids: string[],
  refProps: string[],
): Promise<Map<string, Stored>> {
  const handle = client.collections.use(name);
  const out = new Map<string, Stored>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const res = await handle.query.fetchObjects({
      filters: handle.filter.byId().containsAny(chunk),
      limit: chunk.length,
      returnProperties: ['contentHash'],
      returnReferences: refProps.map((p) => ({ linkOn: p, returnProperties: [] })),
    });
    for (const o of res.objects) {
      const refs = Object.fromEntries(refProps.map((p) => [p, referencedIds(o, p)]));
      out.set(o.uuid, { id: o.uuid, hash: o.properties.contentHash, refs });
    }
  }
  return out;
}

/** Every k-th object: deterministic, spread over the whole file order. */
export function pickSample<T>(objects: readonly T[], size: number): T[] {
  if (size <= 0 || objects.length === 0) return [];
  const step = Math.max(1, Math.floor(objects.length / size));
  const out: T[] = [];
  for (let i = 0; i < objects.length && out.length < size; i += step) out.push(objects[i] as T);
  return out;
}

async function verifySample(
  client: WeaviateClient,
  collection: CollectionPlan,
  sample: PlannedObject[],
  problems: string[],
) {
  if (sample.length === 0) return;
  const refProps = Object.keys(collection.referenceTotals);
  const handle = client.collections.use(collection.name);
  const res = await handle.query.fetchObjects({
    filters: handle.filter.byId().containsAny(sample.map((o) => o.id)),
    limit: sample.length,
    returnReferences: refProps.map((p) => ({ linkOn: p, returnProperties: [] })),
  });
  const byId = new Map(res.objects.map((o) => [o.uuid, o]));
  for (const planned of sample) {
    const stored = byId.get(planned.id);
    if (!stored) {
      problems.push(`${collection.name} ${planned.uri}: not found when read back`);
      continue;
    }
    const diff = propertyDifference(propertiesOf(planned), stored.properties as Record<string, unknown>);
    if (diff) problems.push(`${collection.name} ${planned.uri}: ${diff}`);
    for (const prop of refProps) {
      const ids = referencedIds(stored, prop).sort();
      if (ids.join() !== (planned.references[prop] ?? []).join()) {
        problems.push(`${collection.name} ${planned.uri}: ${prop} read back differs from the relation files`);
      }
    }
  }
}

/** First property whose stored value differs from the source record's (dates compared as instants). */
export function propertyDifference(expected: Properties, stored: Record<string, unknown>): string | null {
  const keys = new Set([...Object.keys(expected), ...Object.keys(stored)]);
  keys.delete('contentHash');
  for (const key of keys) {
    const a = normalise(expected[key]);
    const b = normalise(stored[key]);
    if (JSON.stringify(a) !== JSON.stringify(b))
      return `${key} is ${JSON.stringify(b)}, the dataset has ${JSON.stringify(a)}`;
  }
  return null;
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(normalise);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    return new Date(value).toISOString();
  }
  return value;
}
