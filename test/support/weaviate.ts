/**
 * Integration-test harness: one real Weaviate per test file, by default with the vectorizer users
 * get (text2vec-transformers, served by the project's inference service running the real
 * all-MiniLM-L6-v2 model: scripts/local/inference.ts), one service per file so that its call
 * counts are the file's own.
 * Preference: WEAVIATE_URL (an existing server; collections are wiped first; its own vectorizer)
 * → a local weaviate-server process (scripts/weaviate-bin.sh) → testcontainers when a Docker
 * engine is reachable and no binary can be had (vectorizer none only). Never a mock server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { silentLogger } from '../../src/log.ts';
import { connect, type WeaviateClient } from '../../src/weaviate/client.ts';
import type { Vectorizer } from '../../src/weaviate/schema.ts';
import { type LocalInference, startInference } from './inference.ts';
import { type StartOptions, startLocalWeaviate, WEAVIATE_VERSION } from './weaviate-server.ts';

export interface TestWeaviate {
  url: string;
  grpcPort: number;
  version: string;
  /** How it was obtained: 'url' | 'binary' | 'container'. */
  source: string;
  vectorizer: Vectorizer;
  /** The inference service this harness started (absent with vectorizer none or WEAVIATE_URL). */
  inference?: LocalInference;
  /** Connection settings as the app's config carries them. */
  settings: Config['weaviate'];
  /**
   * Environment for a child `esco-init` process pointed at this server (and its vectorizer), with
   * the lease settings of CHILD_LEASE_ENV.
   */
  env: Record<string, string>;
  /** A connected client, closed after the file's tests. */
  client(): Promise<WeaviateClient>;
  stop(): Promise<void>;
}

/**
 * Lease settings for child processes of tests that do not test the lease's expiry. The test
 * profile's TTL (4 s: a holder fences itself after 3 s without a heartbeat) is a wall-clock margin
 * that a busy 2-core machine can stall past: a holder paused by the scheduler would lose its
 * lease and a watcher would call a live holder stale. Expiry itself is tested on its own terms
 * (test/scripts/init-v111.int.test.ts: the holder SIGKILLed or SIGSTOPped, a short TTL for the
 * process whose expiry is under test). The wait timeout only ends a test that is already broken.
 */
export const CHILD_LEASE_ENV = {
  ESCO_LOCK_TTL: '300',
  ESCO_LOCK_HEARTBEAT: '1',
  ESCO_WAIT_TIMEOUT: '3600',
} as const;

/**
 * Weaviate's module waits 50 s for an inference call by default. A full ingest keeps up to
 * 32 × 32 texts queued at the service, and on a busy machine the last of them waited longer than
 * that: the call failed, the object was sent again, and the service counted two calls for it. The
 * tests that count calls need every healthy call answered; a stall is tested with its own short
 * timeout (init-vectors.int.test.ts). Past 120 s the engine's own request timeout ends the batch.
 */
const MODULE_TIMEOUT_ENV = { MODULES_CLIENT_TIMEOUT: '300s' };

export interface TestWeaviateOptions {
  /** Default: text2vec-transformers, the path `docker compose up` takes. */
  vectorizer?: Vectorizer;
  /** More settings for a local weaviate-server (e.g. MODULES_CLIENT_TIMEOUT). */
  env?: StartOptions['env'];
}

/** Registers beforeAll/afterAll for the calling test file; call the returned getter in tests. */
export function useWeaviate(options: TestWeaviateOptions = {}): () => TestWeaviate {
  let server: TestWeaviate | undefined;
  beforeAll(async () => {
    server = await startTestWeaviate(options);
  }, 600_000); // a cold machine builds weaviate-server (and the inference service) first
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('Weaviate is not started: useWeaviate() must be called at file level');
    return server;
  };
}

export async function startTestWeaviate(options: TestWeaviateOptions = {}): Promise<TestWeaviate> {
  const vectorizer = options.vectorizer ?? 'text2vec-transformers';
  if (process.env.WEAVIATE_URL) return existingServer(process.env.WEAVIATE_URL, vectorizer);
  if (!canGetBinary() && (await dockerReachable())) {
    if (vectorizer !== 'none')
      throw new Error('the testcontainers path runs no inference service: install Go or set WEAVIATE_BIN');
    return containerServer();
  }
  const inference = vectorizer === 'none' ? undefined : await startInference();
  const env = { ...MODULE_TIMEOUT_ENV, ...options.env };
  const local = await startLocalWeaviate({ inferenceUrl: inference?.url, env }).catch(async (error) => {
    await inference?.stop();
    throw error;
  });
  const modules = inference ? `, text2vec-transformers → inference at ${inference.url}` : '';
  console.info(
    `weaviate-server v${local.version} (pid ${local.pid}) at ${local.url}, gRPC ${local.grpcPort}${modules}`,
  );
  const server = wrap(local.url, local.grpcPort, local.version, 'binary', vectorizer, async () => {
    await local.stop();
    await inference?.stop();
  });
  return { ...server, inference };
}

async function existingServer(url: string, vectorizer: Vectorizer): Promise<TestWeaviate> {
  const grpcPort = Number(process.env.WEAVIATE_GRPC_PORT ?? 50051);
  const meta = (await (await fetch(`${url}/v1/meta`)).json()) as { version: string };
  const server = wrap(url, grpcPort, meta.version, 'url', vectorizer, async () => {});
  const client = await server.client();
  // A shared server: start every file from empty (aliases first: Weaviate would leave them dangling).
  for (const alias of (await client.alias.listAll()) ?? []) await client.alias.delete(alias.alias);
  await client.collections.deleteAll();
  console.info(`Weaviate v${meta.version} from WEAVIATE_URL=${url}`);
  return server;
}

async function containerServer(): Promise<TestWeaviate> {
  const { WeaviateContainer } = await import('@testcontainers/weaviate');
  const container = await new WeaviateContainer(`semitechnologies/weaviate:${WEAVIATE_VERSION}`)
    .withEnvironment({ AUTOSCHEMA_ENABLED: 'false', DEFAULT_VECTORIZER_MODULE: 'none' })
    .start();
  const url = `http://${container.getHost()}:${container.getMappedPort(8080)}`;
  console.info(`Weaviate v${WEAVIATE_VERSION} in a container at ${url}`);
  return wrap(url, container.getMappedPort(50051), WEAVIATE_VERSION, 'container', 'none', async () => {
    await container.stop();
  });
}

function wrap(
  url: string,
  grpcPort: number,
  version: string,
  source: string,
  vectorizer: Vectorizer,
  stop: () => Promise<void>,
): TestWeaviate {
  const settings: Config['weaviate'] = { url, grpcPort, startupTimeoutSeconds: 30 };
  const clients: WeaviateClient[] = [];
  const server: TestWeaviate = {
    url,
    grpcPort,
    version,
    source,
    vectorizer,
    settings,
    env: {
      WEAVIATE_URL: url,
      WEAVIATE_GRPC_PORT: String(grpcPort),
      ESCO_VECTORIZER: vectorizer,
      ...CHILD_LEASE_ENV,
    },
    async client() {
      const client = await connect(settings, silentLogger());
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await stop();
    },
  };
  return server;
}

function canGetBinary(): boolean {
  if (process.env.WEAVIATE_BIN) return true;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return existsSync(`${process.env.HOME}/.cache/esco-init/weaviate/v${WEAVIATE_VERSION}/weaviate-server`);
  }
}

async function dockerReachable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
