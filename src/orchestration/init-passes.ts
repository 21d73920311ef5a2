/**
 * The passes of `init`: the ingestion passes (src/ingest/passes.ts: read → schema → objects →
 * references → verify), then publish. The orchestrator supplies the fencing guard, progress and
 * the guarded publish through the session.
 */
import type { WeaviateClient } from 'weaviate-client';
import type { Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import type { EscoDataset } from '../esco/dataset.ts';
import type { IngestContext, VectorContext } from '../ingest/context.ts';
import { ingestionPasses, statusCounts } from '../ingest/passes.ts';
import type { PassDefinition } from '../ingest/pipeline.ts';
import { buildPlan } from '../ingest/plan.ts';
import type { Logger } from '../log.ts';
import type { RestEndpoint } from '../weaviate/rest.ts';
import type { SchemaDefinitions } from '../weaviate/schema.ts';
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
    generation: session.generation,
  };
  const { definitions, fingerprint, signal } = deps;
  const { passes, state } = ingestionPasses({
    plan: (onNode) => buildPlan(deps.dataset, { definitions, signal, onNode }),
    fresh: !session.resumes,
    definitions,
    ctx,
    fingerprint,
  });
  const publish: PassDefinition = {
    name: 'publish',
    resumable: false,
    run: async () => {
      if (!state.plan || !state.verified) throw new EscoInitError('INTERNAL', 'publish needs a verified run');
      const counts = statusCounts(state.plan, state.verified);
      await session.publish(counts);
      return { counts };
    },
  };
  return [...passes, publish];
}
