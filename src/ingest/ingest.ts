/**
 * The plain ingestion run: schema → plan → objects → references (+ deletions) → verify.
 * `init` composes the same passes with its status store and lock in between.
 */
import type { EscoDataset } from '../esco/dataset.ts';
import { ensureSchema, type SchemaDefinitions } from '../weaviate/schema.ts';
import type { IngestContext } from './context.ts';
import { INGESTED_COLLECTIONS } from './mapping.ts';
import { buildPlan, type LinkSource, type LinkStats, type Plan, totalReferences } from './plan.ts';
import { type VerifyOptions, type VerifyReport, verify } from './verify.ts';
import {
  type CollectionCounts,
  dirtyIds,
  type ObjectsReport,
  type ReferencesReport,
  readStoredHashes,
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
}

export interface IngestInput {
  dataset: EscoDataset;
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
    buildPlan(input.dataset, { definitions: input.definitions }),
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
  const referencesPass = await writeReferences(plan, ctx, stored);
  const wroteNothing = objects.written + referencesPass.written + referencesPass.deleted === 0;
  // With no write since `stored` was read, reading every hash again would compare the same data.
  const hashes = wroteNothing ? stored : undefined;
  const verified = await verify(plan, ctx, { readBack, hashes, ...input.verify });
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
  };
}

function summarise(plan: Plan, objects: ObjectsReport): IngestReport['collections'] {
  return Object.fromEntries(
    plan.collections.map((c) => {
      const counts = objects.collections[c.name] ?? { added: 0, updated: 0, unchanged: 0, deleted: 0 };
      return [c.name, { ...counts, total: c.objects.length }];
    }),
  );
}
