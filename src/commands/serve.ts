/**
 * `esco-init serve`: the search service over the ingested data (the `esco-search` service of
 * docker-compose.yml), its metrics, and (with admin keys) the operator API that starts `init`
 * runs in this process. Runs until SIGINT/SIGTERM, then lets a run it started record how it ended,
 * closes the server and exits 0.
 */
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { AdminRuns } from '../admin/runs.ts';
import { upstreamCheck } from '../admin/upstream.ts';
import { ApiKeys } from '../auth/api-keys.ts';
import type { Config } from '../config/config.ts';
import { buildServer, pinReadiness, type ServerDeps } from '../http/server.ts';
import { WeaviateGate } from '../http/weaviate-gate.ts';
import { assembleAndRun, ensureMetadata, newRunId } from '../init/assembly.ts';
import { Lock, lockOptions } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import { Metrics } from '../metrics/metrics.ts';
import { GenerationPin } from '../search/generation-pin.ts';
import { SearchQueries } from '../search/queries.ts';
import { DEFAULT_DATASET_KEY } from '../status/status-store.ts';
import { VERSION } from '../version.ts';
import { connect, type WeaviateClient } from '../weaviate/client.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { readinessProblem, restEndpoint } from '../weaviate/rest.ts';
import { loadSchemas } from '../weaviate/schema.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, PROFILE, settingFlag } from './flags.ts';
import { SERVE_ABOUT } from './serve-help.ts';

export const command = defineCommand({
  name: 'serve',
  usage: 'esco-init serve [options]',
  about: SERVE_ABOUT,
  flags: {
    host: settingFlag('search.host'),
    port: settingFlag('search.port'),
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  async run({ config, io, withClient }) {
    const keys = new ApiKeys(config.auth);
    return withClient(async (client, log) => {
      const admin = config.auth.admin.length > 0 ? await connectAdmin(config, log, io.signal) : undefined;
      try {
        const { deps, runs } = serverDeps(config, keys, client, admin, log, io.signal);
        const app = buildServer(deps);
        try {
          const url = await app.listen({ host: config.search.host, port: config.search.port });
          log.info(
            { url, keys: keys.toJSON() },
            `search service listening on ${url}${admin ? ' (operator API on /admin)' : ''}`,
          );
          await untilAborted(io.signal);
          log.info({ signal: io.signal.reason }, 'stopping the search service');
          await runs?.drain();
          return 0;
        } finally {
          await app.close();
        }
      } finally {
        await admin?.close();
      }
    });
  },
});

/**
 * The operator API's runs write with their own key (the esco-init role), the search service reads
 * with weaviate.apiKey (the read-only role): a search request can never write.
 */
function adminConfig(config: Config): Config {
  return { ...config, weaviate: { ...config.weaviate, apiKey: config.admin.weaviateApiKey ?? config.weaviate.apiKey } };
}

async function connectAdmin(config: Config, log: Logger, signal: AbortSignal): Promise<WeaviateClient> {
  return connect(adminConfig(config).weaviate, log, signal);
}

function serverDeps(
  config: Config,
  keys: ApiKeys,
  client: WeaviateClient,
  adminClient: WeaviateClient | undefined,
  log: Logger,
  signal: AbortSignal,
): { deps: ServerDeps; runs?: AdminRuns } {
  const status = new WeaviateStatusStore(client);
  const pin = new GenerationPin(() => status.readStatus(DEFAULT_DATASET_KEY));
  // One Lock kept for the service's life: it calls a holder stale only after watching it for the TTL.
  const owner = { runId: 'serve', host: hostname(), pid: process.pid };
  const lock = new Lock(new WeaviateLeaseStore(adminClient ?? client), lockOptions(config.lock, { owner, log }));
  const gate = new WeaviateGate(() => readinessProblem(restEndpoint(config.weaviate)));
  const metrics = new Metrics({
    readers: {
      lease: () => gate.guard(() => lock.observe()),
      status: () => gate.guard(() => status.readStatus(DEFAULT_DATASET_KEY)),
    },
  });
  const runs = adminClient ? adminRuns(config, adminClient, lock, metrics, log, signal) : undefined;
  const deps: ServerDeps = {
    search: {
      queries: new SearchQueries(client),
      defaults: { mode: config.search.mode, alpha: config.search.alpha },
      pin,
    },
    readiness: pinReadiness(pin, DEFAULT_DATASET_KEY),
    keys,
    rateLimitPerMinute: config.search.rateLimitPerMinute,
    saturation: { maxEventLoopDelayMs: config.search.maxEventLoopDelayMs },
    metrics,
    retryAfterSeconds: config.admin.retryAfterSeconds,
    gate,
    log,
    ...(runs &&
      adminClient && {
        admin: {
          runs,
          statusStore: new WeaviateStatusStore(adminClient),
          lock,
          datasetKey: DEFAULT_DATASET_KEY,
          retryAfterSeconds: config.admin.retryAfterSeconds,
        },
      }),
  };
  return { deps, runs };
}

function adminRuns(
  config: Config,
  client: WeaviateClient,
  lock: Lock,
  metrics: Metrics,
  log: Logger,
  signal: AbortSignal,
): AdminRuns {
  const runConfig = adminConfig(config);
  return new AdminRuns({
    datasetKey: DEFAULT_DATASET_KEY,
    toolVersion: VERSION,
    host: hostname(),
    pid: process.pid,
    statusStore: new WeaviateStatusStore(client),
    lock,
    upstream: upstreamCheck(restEndpoint(runConfig.weaviate), config.ingest.vectorizer),
    prepare: () => ensureMetadata(client, loadSchemas({ vectorizer: config.ingest.vectorizer }), log),
    newRunId,
    // The same `init` as the CLI and the container: the same orchestrator, lease and records.
    launch: ({ runId, force, trigger }) =>
      assembleAndRun({
        config: runConfig,
        force,
        dryRun: false,
        log: log.child({ runId }),
        signal,
        out: new Writable({ write: (_chunk, _encoding, done) => done() }),
        runId,
        trigger,
      }),
    onEnded: (run) => {
      metrics.runEnded(run);
      const level = run.error ? 'error' : 'info';
      log[level](
        { runId: run.runId, state: run.state, error: run.error },
        `admin run ${run.runId} ended: ${run.state}`,
      );
    },
    log,
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
