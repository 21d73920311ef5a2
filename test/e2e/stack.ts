/**
 * One compose project of the end-to-end suite: the REAL compose file, driven by docker-compose
 * against podman's Docker API, on free host ports, under its own project name (so its
 * containers, volume and network are its own), torn down completely by `down()`.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { silentLogger } from '../../src/log.ts';
import { connect, type WeaviateClient } from '../../src/weaviate/client.ts';
import { type ContainerState, podman, projectContainers, type RunResult, run, startHealthTicker } from './podman.ts';

export interface StackOptions {
  root: string;
  /** Compose file, relative to the repo root. */
  file: string;
  /** Compose project name: unique per scenario. */
  project: string;
  /** Absolute path of the folder mounted as /data. */
  dataDir: string;
}

export class Stack {
  readonly options: StackOptions;
  readonly ports: { weaviate: number; grpc: number; search: number };
  readonly #ticker: { stop(): Promise<void> };
  #clients: WeaviateClient[] = [];

  private constructor(options: StackOptions, ports: Stack['ports']) {
    this.options = options;
    this.ports = ports;
    this.#ticker = startHealthTicker(options.project);
  }

  static async create(options: StackOptions): Promise<Stack> {
    const [weaviate = 0, grpc = 0, search = 0] = await freePorts(3);
    return new Stack(options, { weaviate, grpc, search });
  }

  get env(): Record<string, string> {
    return {
      ESCO_DATA_DIR: this.options.dataDir,
      WEAVIATE_HTTP_HOST_PORT: String(this.ports.weaviate),
      WEAVIATE_GRPC_HOST_PORT: String(this.ports.grpc),
      SEARCH_HOST_PORT: String(this.ports.search),
      LOG_LEVEL: 'info',
    };
  }

  compose(args: string[], options: { check?: boolean } = {}): Promise<RunResult> {
    const { project, file, root } = this.options;
    return run('docker-compose', ['--ansi', 'never', '-p', project, '-f', file, ...args], {
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
    const { project, file, root } = this.options;
    const args = ['--ansi', 'never', '-p', project, '-f', file, 'up', '-d', '--no-build', ...extra];
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

  search(pathAndQuery: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.ports.search}${pathAndQuery}`, { signal: AbortSignal.timeout(30_000) });
  }

  async weaviate(): Promise<WeaviateClient> {
    const settings = {
      url: `http://127.0.0.1:${this.ports.weaviate}`,
      grpcPort: this.ports.grpc,
      startupTimeoutSeconds: 60,
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
  }
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
