/**
 * An init run, assembled: wait for Weaviate, fingerprint the dataset, and skip, ingest (under the
 * lease) or wait for the process that does. Builds the real parts (the Weaviate client and
 * stores, the lock, the dataset, the engine's passes) and hands them to the orchestrator. The
 * container entrypoint (src/scripts/init.ts) and the operator API (src/commands/serve.ts) run it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import type { WeaviateClient } from 'weaviate-client';
import { systemClock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { EscoDataset } from '../esco/dataset.ts';
import { openDataset } from '../esco/open.ts';
import { INGESTED_COLLECTIONS } from '../ingest/mapping.ts';
import type { Progress } from '../lease/lease-store.ts';
import { Lock, lockOptions, type Owner } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import { renderPlan } from '../orchestration/dry-run.ts';
import { escoPasses } from '../orchestration/init-passes.ts';
import { type InitOutcome, orchestrate } from '../orchestration/orchestrator.ts';
import { normalize } from '../orchestration/run-record.ts';
import type { OrchestratorDeps } from '../orchestration/session.ts';
import { DEFAULT_DATASET_KEY, type Trigger } from '../status/status-store.ts';
import { VERSION } from '../version.ts';
import { connect, waitForReady } from '../weaviate/client.ts';
import { WeaviateGenerationStore } from '../weaviate/generation-store.ts';
import { METADATA_COLLECTION } from '../weaviate/metadata-docs.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { type RestEndpoint, restEndpoint } from '../weaviate/rest.ts';
import { WeaviateVectorizer } from '../weaviate/run-vectorizer.ts';
import { ensureSchema, loadSchemas, type SchemaDefinitions } from '../weaviate/schema.ts';

/** Lease acquisitions per process before giving up (each after losing the previous one). */
export const MAX_ATTEMPTS = 3;

export interface InitOptions {
  config: Config;
  force: boolean;
  dryRun: boolean;
  log: Logger;
  signal: AbortSignal;
  /** Where --dry-run prints its plan. */
  out: Writable;
  /** Asks before replacing complete data; leave it out when nobody can answer. */
  confirm?: (question: string) => Promise<boolean>;
  onProgress?: (progress: Progress) => void;
  /** The run's id when the caller chose it (the operator API announced it before the run began). */
  runId?: string;
  /** Who asked for the run over the operator API. */
  trigger?: Trigger;
}

/** The run's outcome, or undefined for --dry-run (which printed its plan). Failures are thrown. */
export async function assembleAndRun(options: InitOptions): Promise<InitOutcome | undefined> {
  const { config, log, signal } = options;
  const started = performance.now();
  try {
    await waitForReady(config.weaviate, log, signal);
    const readyAt = performance.now();
    const client = await connect(config.weaviate, log, signal);
    try {
      return await initWith(client, options, { started, readyAt });
    } finally {
      await client.close();
    }
  } catch (error) {
    throw normalize(error, signal);
  }
}

async function initWith(
  client: WeaviateClient,
  options: InitOptions,
  times: { started: number; readyAt: number },
): Promise<InitOutcome | undefined> {
  const { config, log } = options;
  const definitions = loadSchemas({ vectorizer: config.ingest.vectorizer });
  const rest = restEndpoint(config.weaviate);
  const vectors = WeaviateVectorizer.of(
    {
      rest,
      url: config.weaviate.url,
      timeoutSeconds: config.weaviate.startupTimeoutSeconds,
      log,
      signal: options.signal,
    },
    definitions,
  );
  // Before the dataset is read and the lease taken: a Weaviate without the module fails every copy now.
  await vectors?.check();
  const dataset = await openDataset(config.data.paths, {
    language: config.data.language,
    policy: config.data.rowPolicy,
    maxRejected: config.data.maxRejectedRows,
  });
  const fingerprint = await dataset.fingerprint();
  const deps = orchestratorDeps({ client, rest, dataset, definitions, fingerprint, vectors }, options, times.readyAt);
  if (options.dryRun) {
    options.out.write(await renderPlan(deps, config));
    return undefined;
  }
  const outcome = await orchestrate(deps);
  log.info(
    {
      outcome: outcome.state,
      runId: outcome.run.runId,
      waitForWeaviateMs: Math.round(times.readyAt - times.started),
      decisionMs: outcome.decisionMs,
      totalMs: Math.round(performance.now() - times.started),
    },
    outcomeMessage(outcome),
  );
  return outcome;
}

/** The real parts an init run is made of. */
interface InitParts {
  client: WeaviateClient;
  rest: RestEndpoint;
  dataset: EscoDataset;
  definitions: SchemaDefinitions;
  fingerprint: string;
  vectors: WeaviateVectorizer | undefined;
}

function orchestratorDeps(parts: InitParts, options: InitOptions, readyAt: number): OrchestratorDeps {
  const { client, definitions, fingerprint, vectors } = parts;
  const { config, log, signal } = options;
  const owner = newOwner(options.runId);
  const lockOpts = lockOptions(config.lock, { owner, log });
  const lock = new Lock(new WeaviateLeaseStore(client), lockOpts);
  const passDeps = { ...parts, ingest: config.ingest, log, signal };
  return {
    datasetKey: DEFAULT_DATASET_KEY,
    fingerprint,
    schemaVersion: definitions.version,
    toolVersion: VERSION,
    force: options.force,
    trigger: options.trigger ?? null,
    owner,
    statusStore: new WeaviateStatusStore(client),
    generations: new WeaviateGenerationStore(client, INGESTED_COLLECTIONS),
    keepGenerations: config.generations.keep,
    lock,
    clock: systemClock,
    passes: (session) => escoPasses(passDeps, session),
    pollMs: Math.min(lockOpts.heartbeatMs, 1000),
    waitTimeoutMs: config.lock.waitTimeoutSeconds * 1000,
    maxAttempts: MAX_ATTEMPTS,
    signal,
    log,
    confirm: options.confirm,
    onProgress: options.onProgress,
    // Ingesting (or waiting for whoever does) needs the inference service; a skip does not.
    prepare: async () => {
      await vectors?.ready();
      await ensureMetadata(client, definitions, log);
    },
    startedAt: readyAt,
  };
}

/** Status and lease records live in Metadata, and lease tickets are aliases of it. */
export async function ensureMetadata(
  client: WeaviateClient,
  definitions: SchemaDefinitions,
  log: Logger,
): Promise<void> {
  const collections = definitions.collections.filter((c) => c.name === METADATA_COLLECTION);
  await ensureSchema(client, { ...definitions, collections }, log);
}

export function newOwner(runId: string = newRunId()): Owner {
  return { runId, host: hostname(), pid: process.pid };
}

/** A run id that sorts by time and is unique across hosts: `20261203T130000Z-a1b2c3`. */
export function newRunId(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function outcomeMessage({ state, decision }: InitOutcome): string {
  if (state === 'ingested') return 'ESCO is ingested, verified and published';
  if (state === 'waited') return 'ESCO was completed by another process; nothing left to do';
  if (decision.action === 'declined') return 're-ingest declined; nothing was changed';
  return 'ESCO is already complete; nothing to do';
}
