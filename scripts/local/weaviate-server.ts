/**
 * Starts a real weaviate-server process on free loopback ports with a throw-away data dir, with
 * the text2vec-transformers module when given an inference service. Used by the integration
 * tests, the demo (`npm run demo`), the eval and the benchmarks. Never a mock.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEAVIATE_VERSION = readFileSync(path.join(ROOT, 'resources/weaviate-version'), 'utf8').trim();

export interface LocalWeaviate {
  url: string;
  httpPort: number;
  grpcPort: number;
  version: string;
  dataDir: string;
  pid: number;
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 10 s; deletes the data dir unless keepData was set. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data dir (e.g. to test a restart); it is then kept on stop. */
  dataDir?: string;
  readyTimeoutMs?: number;
  /** Enables text2vec-transformers against this inference service (scripts/local/inference.ts). */
  inferenceUrl?: string;
  env?: Record<string, string>;
  /**
   * API-key authentication and RBAC, anonymous access off: `keys` maps each static user to its
   * key; the user `root` (required) is RBAC's root user. Readiness stays open without a key.
   */
  auth?: { keys: Record<string, string> };
}

/** The binary: $WEAVIATE_BIN, the cached build, or a fresh `go install` (scripts/weaviate-bin.sh). */
export function weaviateBinary(): string {
  const out = execFileSync(path.join(ROOT, 'scripts/weaviate-bin.sh'), { stdio: ['ignore', 'pipe', 'inherit'] });
  return out.toString().trim();
}

export async function startLocalWeaviate(options: StartOptions = {}): Promise<LocalWeaviate> {
  const binary = weaviateBinary();
  let lastError: unknown;
  // Free ports are only free until someone else binds them: retry on a clash.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, options: StartOptions): Promise<LocalWeaviate> {
  const [httpPort = 0, grpcPort = 0, gossipPort = 0, dataPort = 0] = await freePorts(4);
  const raftPort = await freePortPair(); // RAFT_INTERNAL_RPC_PORT must be RAFT_PORT + 1
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'esco-init-weaviate-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    PERSISTENCE_DATA_PATH: dataDir,
    AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'true',
    DEFAULT_VECTORIZER_MODULE: 'none',
    AUTOSCHEMA_ENABLED: 'false',
    DISABLE_TELEMETRY: 'true',
    GO_PROFILING_DISABLE: 'true',
    LOG_LEVEL: 'warning',
    QUERY_DEFAULTS_LIMIT: '25',
    CLUSTER_HOSTNAME: 'node1',
    CLUSTER_IN_LOCALHOST: 'true',
    CLUSTER_GOSSIP_BIND_PORT: String(gossipPort),
    CLUSTER_DATA_BIND_PORT: String(dataPort),
    RAFT_PORT: String(raftPort),
    RAFT_INTERNAL_RPC_PORT: String(raftPort + 1),
    RAFT_BOOTSTRAP_EXPECT: '1',
    GRPC_PORT: String(grpcPort),
    GOMAXPROCS: '2',
    ...(options.inferenceUrl && {
      ENABLE_MODULES: 'text2vec-transformers',
      TRANSFORMERS_INFERENCE_API: options.inferenceUrl,
    }),
    ...(options.auth && authEnv(options.auth.keys)),
    ...options.env,
  };
  const args = ['--scheme', 'http', '--host', '127.0.0.1', '--port', String(httpPort)];
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    if (log.length > 400) log.splice(0, log.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${httpPort}`;
  const logTail = (lines = 30) => log.slice(-lines).join('\n');
  const stop = () => stopProcess(child, options.dataDir ? undefined : dataDir);
  try {
    // A safety net, not a margin: a healthy server on a loaded machine is ready in seconds.
    await waitReady(url, child, options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await stop();
    throw new Error(
      `weaviate-server did not become ready at ${url}: ${(error as Error).message}\n--- server log tail ---\n${logTail()}`,
    );
  }
  const rootKey = options.auth?.keys.root;
  const headers: Record<string, string> = rootKey ? { authorization: `Bearer ${rootKey}` } : {};
  const meta = (await (await fetch(`${url}/v1/meta`, { headers })).json()) as { version: string };
  return { url, httpPort, grpcPort, version: meta.version, dataDir, pid: child.pid ?? -1, logTail, stop };
}

/** Weaviate's settings for static API-key users (keys and users are paired by position) and RBAC. */
function authEnv(keys: Record<string, string>): Record<string, string> {
  if (keys.root === undefined) throw new Error('auth.keys needs a key for the user "root" (the RBAC root user)');
  const users = Object.keys(keys);
  return {
    AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'false',
    AUTHENTICATION_APIKEY_ENABLED: 'true',
    AUTHENTICATION_APIKEY_ALLOWED_KEYS: users.map((u) => keys[u]).join(','),
    AUTHENTICATION_APIKEY_USERS: users.join(','),
    AUTHORIZATION_RBAC_ENABLED: 'true',
    AUTHORIZATION_RBAC_ROOT_USERS: 'root',
  };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the process exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const res = await fetch(`${url}/v1/.well-known/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

async function stopProcess(child: ChildProcess, removeDir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (removeDir) rmSync(removeDir, { recursive: true, force: true });
}

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => listenOn(0)));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map(close));
  return ports;
}

async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const [port] = await freePorts(1);
    if (port === undefined || port >= 65535) continue;
    try {
      await close(await listenOn(port + 1));
      return port;
    } catch {
      // port + 1 taken: try another
    }
  }
  throw new Error('no two consecutive free ports found on 127.0.0.1');
}
