/**
 * One compose project of the end-to-end suite: the REAL compose file, driven by docker-compose
 * against podman's Docker API, on free host ports, under its own project name (so its
 * containers, volume, network and keys are its own), torn down completely by `down()`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.ts';
import { connect, type WeaviateClient } from '../../src/weaviate/client.ts';
import { type ContainerState, podman, projectContainers, type RunResult, run, startHealthTicker } from './podman.ts';

export interface StackOptions {
  root: string;
  /** Compose files, relative to the repo root: the file, then any override (`-f a -f b`). */
  files: string[];
  /** Compose project name: unique per scenario. */
  project: string;
  /** Absolute path of the folder mounted as /data. */
  dataDir: string;
}

/** The Weaviate users of the compose file (AUTHENTICATION_APIKEY_USERS). */
export type WeaviateUser = 'root' | 'esco-init' | 'esco-search';

/** The keys scripts/compose-secrets.sh made for this project (ESCO_SECRETS_DIR). */
export interface StackKeys {
  weaviate: Record<WeaviateUser, string>;
  /** The search service's keys, without their `name:` prefix. */
  admin: string;
  monitor: string;
}

export class Stack {
  readonly options: StackOptions;
  readonly ports: { weaviate: number; grpc: number; search: number };
  readonly secretsDir: string;
  #keys: StackKeys;
  readonly #ticker: { stop(): Promise<void> };
  #clients: WeaviateClient[] = [];

  private constructor(options: StackOptions, ports: Stack['ports'], secretsDir: string) {
    this.options = options;
    this.ports = ports;
    this.secretsDir = secretsDir;
    this.#keys = readKeys(secretsDir);
    this.#ticker = startHealthTicker(options.project);
  }

  /** Free host ports and the project's own keys, made by the script users run. */
  static async create(options: StackOptions): Promise<Stack> {
    const [weaviate = 0, grpc = 0, search = 0] = await freePorts(3);
    const secretsDir = path.join(mkdtempSync(path.join(tmpdir(), 'esco-e2e-secrets-')), 'secrets');
    await run('sh', [path.join(options.root, 'scripts/compose-secrets.sh'), secretsDir]);
    return new Stack(options, { weaviate, grpc, search }, secretsDir);
  }

  get keys(): StackKeys {
    return this.#keys;
  }

  /** New keys in every file (`compose-secrets.sh --force`), as a user rotates them. */
  async rotateKeys(): Promise<void> {
    await run('sh', [path.join(this.options.root, 'scripts/compose-secrets.sh'), '--force', this.secretsDir]);
    this.#keys = readKeys(this.secretsDir);
  }

  get env(): Record<string, string> {
    return {
      ESCO_DATA_DIR: this.options.dataDir,
      ESCO_SECRETS_DIR: this.secretsDir,
      WEAVIATE_HTTP_HOST_PORT: String(this.ports.weaviate),
      WEAVIATE_GRPC_HOST_PORT: String(this.ports.grpc),
      SEARCH_HOST_PORT: String(this.ports.search),
      LOG_LEVEL: 'info',
    };
  }

  /** docker-compose's arguments before the command: the project and its files. */
  get #projectArgs(): string[] {
    return ['--ansi', 'never', '-p', this.options.project, ...this.options.files.flatMap((f) => ['-f', f])];
  }

  compose(args: string[], options: { check?: boolean } = {}): Promise<RunResult> {
    const { root } = this.options;
    return run('docker-compose', [...this.#projectArgs, ...args], {
      env: this.env,
      cwd: root,
      check: options.check,
      timeoutMs: 30 * 60_000,
    });
  }

  /** `docker-compose up -d`: returns once every service is started (esco-search after esco-init exited 0). */
  up(extra: string[] = []): Promise<RunResult> {
    return this.compose(['up', '-d', '--no-build', ...extra], { check: false });
  }

  /** `up` in the background, for scenarios that act while it runs (kill mid-ingest). */
  upInBackground(extra: string[] = []): Promise<RunResult> {
    const { root } = this.options;
    const args = [...this.#projectArgs, 'up', '-d', '--no-build', ...extra];
    return new Promise((resolve) => {
      const child = spawn('docker-compose', args, { cwd: root, env: { ...process.env, ...this.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
      });
      child.on('exit', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
    });
  }

  async containers(service?: string): Promise<ContainerState[]> {
    const all = await projectContainers(this.options.project);
    return service ? all.filter((c) => c.service === service) : all;
  }

  async logs(service: string): Promise<string> {
    return (await this.compose(['logs', '--no-color', service], { check: false })).stdout;
  }

  /** A request to esco-search; `key` goes as `Authorization: Bearer <key>`. */
  search(pathAndQuery: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(`http://127.0.0.1:${this.ports.search}${pathAndQuery}`, {
      ...rest,
      headers,
      signal: AbortSignal.timeout(30_000),
    });
  }

  /** A request to Weaviate's REST API as `user` (anonymous: null). */
  weaviateRest(pathAndQuery: string, user: WeaviateUser | null, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (user) headers.set('authorization', `Bearer ${this.keys.weaviate[user]}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`http://127.0.0.1:${this.ports.weaviate}${pathAndQuery}`, {
      ...init,
      headers,
      signal: AbortSignal.timeout(30_000),
    });
  }

  /**
   * A client as `user`: by default the search service's read-only user, which must see every
   * check's data (every generation, Metadata's records); root where a check must see everything.
   */
  async weaviate(user: WeaviateUser = 'esco-search'): Promise<WeaviateClient> {
    const settings = {
      url: `http://127.0.0.1:${this.ports.weaviate}`,
      grpcPort: this.ports.grpc,
      startupTimeoutSeconds: 60,
      apiKey: this.keys.weaviate[user],
    };
    const client = await connect(settings, silentLogger());
    this.#clients.push(client);
    return client;
  }

  /** Removes everything of this project: containers, the volume, the network. */
  async down(): Promise<void> {
    await this.#ticker.stop();
    await Promise.allSettled(this.#clients.map((c) => c.close()));
    await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], { check: false });
    // Whatever compose did not remove (e.g. after a failed `up`) goes by label.
    const label = `label=com.docker.compose.project=${this.options.project}`;
    const left = (await podman(['ps', '-a', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
    if (left.length > 0) await podman(['rm', '-f', '-v', ...left], { check: false });
    const volumes = (await podman(['volume', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
    if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes], { check: false });
    const networks = (await podman(['network', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
    if (networks.length > 0) await podman(['network', 'rm', '-f', ...networks], { check: false });
    rmSync(path.dirname(this.secretsDir), { recursive: true, force: true });
  }
}

function readKeys(dir: string): StackKeys {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8').trim();
  const secret = (file: string) => read(file).slice(read(file).indexOf(':') + 1);
  return {
    weaviate: {
      root: read('weaviate-root-key'),
      'esco-init': read('weaviate-init-key'),
      'esco-search': read('weaviate-search-key'),
    },
    admin: secret('esco-admin-keys'),
    monitor: secret('esco-monitor-keys'),
  };
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
