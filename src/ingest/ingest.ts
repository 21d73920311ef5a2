/**
 * The plain ingestion run, without lease or records: the passes of src/ingest/passes.ts one after
 * the other (`init` runs the same passes through its pipeline), summed up in one report.
 */
import { EscoInitError } from '../errors.ts';
import type { SchemaDefinitions } from '../weaviate/schema.ts';
import type { IngestContext } from './context.ts';
import { ingestionPasses, type PassesState } from './passes.ts';
import type { LinkSource, LinkStats, Plan } from './plan.ts';
import { totalReferences } from './plan.ts';
import type { VerifyOptions, VerifyReport } from './verify.ts';
import type { CollectionCounts, ObjectsReport, ReferencesReport } from './write.ts';

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
  verify?: Pick<VerifyOptions, 'sampleSize'>;
}

export async function ingest(input: IngestInput): Promise<IngestReport> {
  const started = performance.now();
  const { passes, state } = ingestionPasses({ ...input, plan: () => input.plan });
  for (const pass of passes) await pass.run();
  return report(state, Math.round(performance.now() - started));
}

function report(state: PassesState, totalMs: number): IngestReport {
  const { plan, objects, references, verified } = state;
  if (!plan || !objects || !references || !verified) throw new EscoInitError('INTERNAL', 'ingest: a pass did not run');
  return {
    schemaVersion: plan.schemaVersion,
    fingerprint: plan.dataset.fingerprint,
    collections: summarise(plan, objects),
    writes: objects.written + references.written + references.deleted,
    references: totalReferences(plan),
    links: plan.links,
    danglingRelations: plan.dataset.danglingReferences.total,
    objects,
    referencesPass: references,
    verify: verified,
    ms: { ...state.ms, total: totalMs },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
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
