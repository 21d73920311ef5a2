/**
 * The passes of an ESCO ingestion, in gate order: read+validate → schema → objects → references →
 * verify → publish (the schema is created while the read pass parses: see `startSchema`). They
 * compose the engine's functions (src/ingest); the orchestrator supplies the fencing guard,
 * progress and the guarded publish.
 */
import type { WeaviateClient } from 'weaviate-client';
import type { Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import type { EscoDataset } from '../esco/dataset.ts';
import type { IngestContext, VectorContext } from '../ingest/context.ts';
import type { PassDefinition } from '../ingest/pipeline.ts';
import { buildPlan, type Plan, totalReferences } from '../ingest/plan.ts';
import { type VerifyReport, verify } from '../ingest/verify.ts';
import { writeObjects, writeReferences } from '../ingest/write.ts';
import type { Logger } from '../log.ts';
import type { Counts } from '../state/status-store.ts';
import type { RestEndpoint } from '../weaviate/rest.ts';
import { type EnsureSchemaReport, ensureSchema, type SchemaDefinitions } from '../weaviate/schema.ts';
import type { HolderSession } from './session.ts';

export interface EscoPassDeps {
  client: WeaviateClient;
  /** REST access to the same server: verification reads reference lists much faster through it. */
  rest: RestEndpoint;
  dataset: EscoDataset;
  definitions: SchemaDefinitions;
  /** The fingerprint the decision was made on: the read pass checks the files still match it. */
  fingerprint: string;
  ingest: Config['ingest'];
  /** The run's vectorizer (absent with vectorizer none): verification checks the vectors. */
  vectors?: VectorContext;
  log: Logger;
  signal: AbortSignal;
}

export function escoPasses(deps: EscoPassDeps, session: HolderSession): PassDefinition[] {
  let plan: Plan | undefined;
  let verified: VerifyReport | undefined;
  const ctx: IngestContext = {
    client: deps.client,
    log: deps.log,
    batchSize: deps.ingest.batchSize,
    concurrency: deps.ingest.concurrency,
    guard: () => session.guard(),
    onProgress: (p) => session.progress(p),
    signal: deps.signal,
    rest: deps.rest,
    vectors: deps.vectors,
  };
  // Creating collections is server work (a Raft round trip each): it runs while the read pass
  // parses, and the schema pass reports its outcome. Without the read pass it starts there.
  let schema: Promise<EnsureSchemaReport> | undefined;
  const startSchema = () => {
    schema ??= session.guard().then(() => ensureSchema(deps.client, deps.definitions, deps.log));
    return schema;
  };
  const planned = (): Plan => {
    if (!plan) throw new EscoInitError('INTERNAL', 'a pass needs the plan, but the read pass did not run');
    return plan;
  };
  return [
    {
      name: 'read',
      resumable: false,
      run: async () => {
        // A read failure is the run's error; the schema's own failure, if any, is the schema pass's.
        startSchema().catch(() => {});
        plan = await buildPlan(deps.dataset, { definitions: deps.definitions, signal: deps.signal });
        return readOutcome(plan, deps.fingerprint);
      },
    },
    {
      name: 'schema',
      resumable: false,
      run: async () => {
        const report = await startSchema();
        const counts = { created: report.created.length, addedProperties: report.addedProperties.length };
        return { counts, note: report.created.length > 0 ? `created ${report.created.join(', ')}` : undefined };
      },
    },
    {
      name: 'objects',
      resumable: true,
      run: async () => {
        const report = await writeObjects(planned(), ctx);
        const counts: Counts = { written: report.written };
        for (const [name, c] of Object.entries(report.collections)) {
          Object.assign(counts, {
            [`${name}.added`]: c.added,
            [`${name}.updated`]: c.updated,
            [`${name}.unchanged`]: c.unchanged,
          });
        }
        return { counts };
      },
    },
    {
      name: 'references',
      resumable: true,
      run: async () => {
        const report = await writeReferences(planned(), ctx);
        return { counts: { written: report.written, references: report.references, deleted: report.deleted } };
      },
    },
    {
      name: 'verify',
      resumable: false,
      run: async () => {
        verified = await verify(planned(), ctx);
        return { counts: { objects: verified.objects, references: verified.references, sampled: verified.sampled } };
      },
    },
    {
      name: 'publish',
      resumable: false,
      run: async () => {
        if (!verified) throw new EscoInitError('INTERNAL', 'publish needs a verified run');
        const counts = statusCounts(planned(), verified);
        await session.publish(counts);
        return { counts };
      },
    },
  ];
}

function readOutcome(plan: Plan, fingerprint: string) {
  if (plan.dataset.fingerprint !== fingerprint) {
    throw new EscoInitError(
      'DATA_INVALID',
      `the dataset files changed while esco-init was starting (fingerprint ${fingerprint.slice(0, 12)} → ${plan.dataset.fingerprint.slice(0, 12)}); run again once they are complete`,
    );
  }
  const dangling = plan.dataset.danglingReferences.total;
  const counts: Counts = { ...plan.expected.objects, references: totalReferences(plan), danglingRelations: dangling };
  return {
    counts,
    note: dangling > 0 ? `${dangling} relation rows name unknown concepts (reported, not stored)` : undefined,
  };
}

/**
 * What the status record keeps, per collection: objects and references as read back by verify,
 * plus the dataset's dangling relation rows and unresolvable links (reported, never stored).
 */
export function statusCounts(plan: Plan, verified: VerifyReport): Counts {
  const counts: Counts = {};
  for (const [name, c] of Object.entries(verified.collections)) {
    counts[name] = c.objects;
    counts[`${name}.references`] = c.referencesRead + c.referencesByHash;
  }
  counts.objects = verified.objects;
  counts.references = verified.references;
  counts.danglingRelations = plan.dataset.danglingReferences.total;
  counts.unresolvedLinks = Object.values(plan.links).reduce((n, l) => n + l.unresolved, 0);
  return counts;
}
