/**
 * The plain ingestion run: schema → plan → objects → references (+ deletions) → verify.
 * `init` composes the same passes with its status store and lock in between.
 */
import { ensureSchema, type SchemaDefinitions } from '../weaviate/schema.ts';
import type { IngestContext } from './context.ts';
import { INGESTED_COLLECTIONS } from './mapping.ts';
import { type LinkSource, type LinkStats, type Plan, totalReferences } from './plan.ts';
import { type VerifyOptions, type VerifyReport, verify } from './verify.ts';
import {
  type CollectionCounts,
  dirtyIds,
  type ObjectsReport,
  type ReferencesReport,
  readStoredHashes,
  type StoredHashes,
  writeObjects,
  writeReferences,
} from './write.ts';

export interface IngestReport {
  schemaVersion: string;
  fingerprint: string;
  collections: Record<string, CollectionCounts & { total: number }>;
  /** Objects written in either pass (a new object is written twice: bare, then whole). */
  writes: number;
  references: number;
  links: Record<LinkSource, LinkStats>;
  danglingRelations: number;
  objects: ObjectsReport;
  referencesPass: ReferencesReport;
  verify: VerifyReport;
  /** plan: reading the dataset into the plan; schema (ensureSchema) ran at the same time. */
  ms: { plan: number; schema: number; total: number };
  /** The process's peak resident memory so far, in MB (what a container's memory limit must allow). */
  peakRssMb: number;
}

export interface IngestInput {
  /**
   * The dataset's plan, already being built (`buildPlan`): the caller starts it before it connects,
   * so that reading the dataset (our CPU) overlaps connecting (the network's time).
   */
  plan: Promise<Plan>;
  definitions: SchemaDefinitions;
  ctx: IngestContext;
  verify?: VerifyOptions;
}

export async function ingest(input: IngestInput): Promise<IngestReport> {
  const { ctx } = input;
  const started = performance.now();
  let schemaMs = 0;
  // Parsing is client CPU; creating collections (a Raft round trip each, ~170 ms) and reading the
  // stored hashes are server work: overlap them.
  const [plan, stored] = await Promise.all([
    input.plan,
    ensureSchema(ctx.client, input.definitions, ctx.log).then(() => {
      schemaMs = performance.now() - started;
      return readStoredHashes(INGESTED_COLLECTIONS, ctx);
    }),
  ]);
  const planMs = performance.now() - started;
  ctx.log.info({ objects: plan.expected.objects, references: totalReferences(plan) }, 'plan built');
  // Read back the references of what this run writes; the rest is checked by count and hash.
  const readBack = dirtyIds(plan, stored);
  const objects = await writeObjects(plan, ctx, stored);
  const { referencesPass, verified } = await writeAndVerify(plan, ctx, stored, objects, {
    readBack,
    ...input.verify,
  });
  return {
    schemaVersion: plan.schemaVersion,
    fingerprint: plan.dataset.fingerprint,
    collections: summarise(plan, objects),
    writes: objects.written + referencesPass.written + referencesPass.deleted,
    references: totalReferences(plan),
    links: plan.links,
    danglingRelations: plan.dataset.danglingReferences.total,
    objects,
    referencesPass,
    verify: verified,
    ms: { plan: Math.round(planMs), schema: Math.round(schemaMs), total: Math.round(performance.now() - started) },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * The references pass, then verification. Without objects to delete, each collection is final
 * once its references are written, so it is verified while the next ones are written (reading
 * back is largely our CPU, writing largely the server's).
 */
async function writeAndVerify(
  plan: Plan,
  ctx: IngestContext,
  stored: StoredHashes,
  objects: ObjectsReport,
  options: VerifyOptions,
): Promise<{ referencesPass: ReferencesReport; verified: VerifyReport }> {
  // `stored` was read before the writes and follows them: every object this run writes is read
  // back whole, and the hashes of the others were read in this run (ingest is the only writer).
  const verifyOptions = { ...options, hashes: stored };
  const deletes = Object.values(objects.collections).some((c) => c.deleted > 0);
  if (deletes || options.readBack?.size === 0) {
    const referencesPass = await writeReferences(plan, ctx, stored);
    return { referencesPass, verified: await verify(plan, ctx, verifyOptions) };
  }
  const gate = new Gate();
  const verifying = verify(plan, ctx, { ...verifyOptions, ready: (name) => gate.wait(name) });
  verifying.catch(() => {}); // awaited below, or superseded by the write error
  try {
    const referencesPass = await writeReferences(plan, ctx, stored, (name) => gate.open(name));
    return { referencesPass, verified: await verifying };
  } catch (error) {
    gate.fail(error);
    throw error;
  }
}

/** Named one-shot signals: `wait(name)` resolves once `open(name)` ran, rejects after `fail`. */
class Gate {
  #waiting = new Map<string, PromiseWithResolvers<void>>();
  #failed: { error: unknown } | undefined;

  #entry(name: string): PromiseWithResolvers<void> {
    let entry = this.#waiting.get(name);
    if (!entry) {
      entry = Promise.withResolvers<void>();
      entry.promise.catch(() => {});
      if (this.#failed) entry.reject(this.#failed.error);
      this.#waiting.set(name, entry);
    }
    return entry;
  }

  wait(name: string): Promise<void> {
    return this.#entry(name).promise;
  }

  open(name: string): void {
    this.#entry(name).resolve();
  }

  fail(error: unknown): void {
    this.#failed = { error };
    for (const entry of this.#waiting.values()) entry.reject(error);
  }
}

function summarise(plan: Plan, objects: ObjectsReport): IngestReport['collections'] {
  return Object.fromEntries(
    plan.collections.map((c) => {
      const counts = objects.collections[c.name] ?? { added: 0, updated: 0, unchanged: 0, deleted: 0 };
      return [c.name, { ...counts, total: c.objects.length }];
    }),
  );
}
