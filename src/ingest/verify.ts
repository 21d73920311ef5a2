/**
 * Verification reads back what is stored and compares it with the plan:
 * - the object count of every collection;
 * - every stored object's content hash (the hash is written in the same upsert as the object's
 *   complete reference lists, so an equal hash means the object was written whole);
 * - the reference lists of every object written by this run (all of them by default; `ingest`
 *   passes the ones it wrote), so the reference totals equal the relation files' minus dangling
 *   rows: read back for those objects, and committed to by the hash for the others;
 * - a spread sample of objects, property by property and reference list by reference list;
 * - with a vectorizer, the vector of every object it reads back: present (unless the object has
 *   no text to vectorize) and of the model's dimension. The vectors of objects not read back were
 *   checked by the run that wrote them, and Weaviate keeps a vector while the text is unchanged.
 * Everything but the hashes is read back over REST (src/weaviate/read-back.ts): a whole collection
 * page by page, or a few hundred objects one request each.
 * Any difference fails with VERIFY_FAILED; nothing is marked complete that was not read back.
 */

import { forEachChunk } from '../chunks.ts';
import { EscoInitError } from '../errors.ts';
import { readHashes } from '../weaviate/cursor.ts';
import { readAll, readByIds, type Stored, storedOf } from '../weaviate/read-back.ts';
import { beaconIds } from '../weaviate/rest.ts';
import type { StoredHashes } from './changes.ts';
import { checkpoint, type IngestContext, physicalName } from './context.ts';
import type { Properties } from './mapping.ts';
import { type CollectionPlan, type Plan, type PlannedObject, propertiesOf } from './plan.ts';

export interface CollectionVerification {
  objects: number;
  /** Vectors read back and checked (vectorized collections only). */
  vectors: number;
  /** References read back from Weaviate. */
  referencesRead: number;
  /** References of objects not read back, whose stored hash commits to the plan's lists. */
  referencesByHash: number;
  sampled: number;
}

export interface VerifyReport {
  collections: Record<string, CollectionVerification>;
  objects: number;
  vectors: number;
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
   * Hashes this run read before it wrote, updated with what it wrote (ingest passes them): the
   * objects not read back are checked against these instead of reading every hash again; those
   * read back are checked with the hash they are stored with. Counts and the sample are always
   * read afresh.
   */
  hashes?: StoredHashes;
  /**
   * Resolves once the named collection is final (nothing more will be written to it or deleted
   * from it in this run): verification of it waits for that, so it can run beside later writes.
   */
  ready?: (collection: string) => Promise<void>;
}

/** Checks read-back vectors of one run: the model's dimension, or else the first one seen. */
class VectorCheck {
  #dims: number | undefined;
  constructor(dims: number | undefined) {
    this.#dims = dims;
  }

  /** A problem, or null when `stored` carries a vector of the right size (or needs none). */
  problem(stored: Stored, planned: PlannedObject, properties: readonly string[]): string | null {
    if (stored.dims === undefined) return null;
    if (stored.dims === null)
      return hasText(planned, properties) ? `no vector (made from ${properties.join(', ')})` : null;
    this.#dims ??= stored.dims;
    return stored.dims === this.#dims ? null : `a vector of ${stored.dims} dimensions, ${this.#dims} expected`;
  }
}

function hasText(planned: PlannedObject, properties: readonly string[]): boolean {
  const p = propertiesOf(planned);
  return properties.some((name) => {
    const value = p[name];
    return Array.isArray(value) ? value.some((v) => String(v).trim() !== '') : String(value ?? '').trim() !== '';
  });
}

export async function verify(plan: Plan, ctx: IngestContext, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const problems: string[] = [];
  const report: VerifyReport = {
    collections: {},
    objects: 0,
    vectors: 0,
    references: 0,
    referencesRead: 0,
    sampled: 0,
    ms: 0,
  };
  const total = plan.collections.reduce((n, c) => n + c.objects.length, 0);
  const vectors = new VectorCheck(ctx.vectors?.dimensions());
  // Reads of different collections overlap: the server answers one while we parse another.
  const verifyOne = async (collection: CollectionPlan) => {
    await options.ready?.(collection.name);
    const checked = await verifyCollection(ctx, collection, options, { problems, vectors });
    const size = Math.ceil(((options.sampleSize ?? 200) * collection.objects.length) / Math.max(total, 1));
    const sample = pickSample(collection.objects, size);
    await verifySample(ctx, collection, sample, { problems, vectors });
    report.collections[collection.name] = { ...checked, sampled: sample.length };
    report.objects += checked.objects;
    report.vectors += checked.vectors;
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
  // A sampled object is read twice (whole, and with its collection): report what it shows once.
  problems.splice(0, problems.length, ...new Set(problems));
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

/** Where a collection's checks report. */
interface Findings {
  problems: string[];
  vectors: VectorCheck;
}

async function verifyCollection(
  ctx: IngestContext,
  collection: CollectionPlan,
  options: VerifyOptions,
  { problems, vectors }: Findings,
): Promise<Omit<CollectionVerification, 'sampled'>> {
  const { readBack } = options;
  const name = collection.name;
  const physical = physicalName(ctx, name);
  const vectorized = ctx.vectors?.collections.get(name);
  const count = await ctx.client.collections.use(physical).length();
  if (count !== collection.objects.length)
    problems.push(`${name}: ${count} objects stored, ${collection.objects.length} expected`);
  const refProps = Object.keys(collection.referenceTotals);
  const byId = new Map(collection.objects.map((o) => [o.id, o]));
  const found: Record<string, number> = Object.fromEntries(refProps.map((p) => [p, 0]));
  const result = { objects: 0, vectors: 0, referencesRead: 0, referencesByHash: 0 };
  const check = (stored: Stored, withRefs: boolean) => {
    const planned = byId.get(stored.id);
    if (!planned) return problems.push(`${name} ${stored.id}: stored but not in the dataset`);
    if (stored.hash !== planned.hash)
      problems.push(`${name} ${planned.uri}: stored hash ${String(stored.hash)} ≠ ${planned.hash}`);
    if (vectorized && stored.dims !== undefined) {
      result.vectors++;
      const problem = vectors.problem(stored, planned, vectorized);
      if (problem) problems.push(`${name} ${planned.uri}: ${problem}`);
    }
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
    await readAll(ctx, { name: physical, refProps, vectors: vectorized !== undefined }, ids, (page) => {
      for (const stored of page) {
        result.objects++;
        check(stored, true);
      }
    });
  } else {
    const hashes = options.hashes?.get(name) ?? (await readHashes(ctx.client, physical, ctx.signal));
    const read = { name: physical, refProps, vectors: vectorized !== undefined };
    const objects = await readByIds(
      ctx,
      read,
      wanted.map((o) => o.id),
    );
    const refs = new Map([...objects.values()].map((o) => [o.id, storedOf(o, read)]));
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

/** Every k-th object: deterministic, spread over the whole file order. */
export function pickSample<T>(objects: readonly T[], size: number): T[] {
  if (size <= 0 || objects.length === 0) return [];
  const step = Math.max(1, Math.floor(objects.length / size));
  const out: T[] = [];
  for (let i = 0; i < objects.length && out.length < size; i += step) out.push(objects[i] as T);
  return out;
}

async function verifySample(
  ctx: IngestContext,
  collection: CollectionPlan,
  sample: PlannedObject[],
  { problems, vectors }: Findings,
) {
  if (sample.length === 0) return;
  const refProps = Object.keys(collection.referenceTotals);
  const vectorized = ctx.vectors?.collections.get(collection.name);
  const spec = { name: physicalName(ctx, collection.name), refProps, vectors: vectorized !== undefined };
  const byId = await readByIds(
    ctx,
    spec,
    sample.map((o) => o.id),
  );
  for (const planned of sample) {
    const stored = byId.get(planned.id);
    if (!stored) {
      problems.push(`${collection.name} ${planned.uri}: not found when read back`);
      continue;
    }
    const vectorProblem = vectorized && vectors.problem(storedOf(stored, spec), planned, vectorized);
    if (vectorProblem) problems.push(`${collection.name} ${planned.uri}: ${vectorProblem}`);
    const properties = { ...stored.properties };
    for (const prop of refProps) delete properties[prop];
    const diff = propertyDifference(propertiesOf(planned), properties);
    if (diff) problems.push(`${collection.name} ${planned.uri}: ${diff}`);
    for (const prop of refProps) {
      const ids = beaconIds(stored.properties[prop]).sort();
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
