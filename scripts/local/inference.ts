/**
 * Starts the project's inference service (inference/server.py: Weaviate's transformers-inference
 * contract running the real all-MiniLM-L6-v2 model on ONNX Runtime) on a free loopback port.
 * Used next to weaviate-server by the integration tests, the demo, the eval and the bench.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InferenceStats {
  /** POST /vectors answered or failed: one per text Weaviate sent. */
  requests: number;
  texts: number;
  batches: number;
  errors: number;
  busySeconds: number;
  model: string;
}

/** What the service says of itself in GET /meta beyond the model (inference/runtime.py). */
export interface InferenceMeta {
  name: string;
  engine: string;
  /** The runtime it runs: chosen at start (`auto`, the default) or asked for. */
  runtime: 'int8' | 'fp32';
  runtime_choice: {
    requested: InferenceRuntime;
    reason: string;
    int8_min_cosine?: number;
    texts_per_second?: { int8: number; fp32: number };
  };
  cpu: { model: string; arch: string; vector: string[] };
}

export type InferenceRuntime = 'auto' | 'int8' | 'fp32';

export interface LocalInference {
  url: string;
  pid: number;
  /** GET /meta: which runtime the service chose, why, and on which CPU. */
  meta(): Promise<InferenceMeta>;
  /** What the service has done since it started (GET /stats). */
  stats(): Promise<InferenceStats>;
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a stalled service (tests of what happens to an ingest). */
  pause(): void;
  resume(): void;
}

export interface InferenceOptions {
  /** Default: the service's own default (`auto`), as docker compose runs it. */
  runtime?: InferenceRuntime;
  /** Default: a free one. A restart on the same port is the same service to Weaviate. */
  port?: number;
  /** Extra arguments for inference/server.py (e.g. --max-batch). */
  args?: string[];
}

/** The built service: a venv and the converted model (scripts/inference.sh, cached). */
export function inferenceHome(): string {
  const out = execFileSync(path.join(ROOT, 'scripts/inference.sh'), { stdio: ['ignore', 'pipe', 'inherit'] });
  return out.toString().trim();
}

export async function startInference(options: InferenceOptions = {}): Promise<LocalInference> {
  const home = inferenceHome();
  const args = [
    path.join(ROOT, 'inference/server.py'),
    ...['--model-dir', path.join(home, 'model'), '--host', '127.0.0.1', '--port', String(options.port ?? 0)],
    ...(options.runtime ? ['--runtime', options.runtime] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(path.join(home, 'venv/bin/python'), args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const url = await listeningUrl(child, log);
  return {
    url,
    pid: child.pid ?? -1,
    meta: async () => (await (await fetch(`${url}/meta`)).json()) as InferenceMeta,
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as InferenceStats,
    logTail: (lines = 30) => log.slice(-lines).join('\n'),
    stop: () => stopProcess(child),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

/** Resolves with the URL the service prints once its model is loaded and its port bound. */
function listeningUrl(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        log.push(line);
        const found = / listening on (http:\/\/[\d.]+:\d+)/.exec(line);
        if (found?.[1]) resolve(found[1]);
      }
      if (log.length > 400) log.splice(0, log.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`the inference service exited (code ${code}, signal ${signal}):\n${log.slice(-30).join('\n')}`)),
    );
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGCONT'); // a paused process cannot act on SIGTERM
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
