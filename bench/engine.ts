/**
 * The engine scenarios, run the way a container runs them: the built bin (`dist/cli.js ingest
 * --json`) with its own V8 flags, in a process of its own, against the bench's server (with the
 * text2vec-transformers module and the inference service on the vector path, whose calls it counts). Time is the
 * process's wall time, start-up included; peak RSS is the one the bin reports for itself. Node's
 * compile cache lives in the bench's scratch folder: cold compiles the modules as a fresh container
 * does, the reruns find them cached as a restarted container or a host install does.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { IngestReport } from '../src/ingest/ingest.ts';
import type { LocalInference } from '../test/support/inference.ts';
import type { LocalWeaviate } from '../test/support/weaviate-server.ts';
import type { BenchOptions } from './ingest.ts';
import type { ScenarioResult } from './scenarios.ts';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export type EngineScenario = 'cold' | 'cold-vectors' | 'rerun-unchanged' | 'rerun-changed' | 'init-restart';

type BinOptions = BenchOptions & { flags: string[]; compileCache: string };

/** The server a chain of engine scenarios runs against, and its inference service on the vector path. */
export interface BenchServer {
  weaviate: LocalWeaviate;
  inference?: LocalInference;
}

const vectorizerOf = (server: BenchServer) => (server.inference ? 'text2vec-transformers' : 'none');
const callsOf = async (server: BenchServer) => (await server.inference?.stats())?.requests ?? 0;

/** Runs the bin against the bench's server, timed by the wall clock from its start. */
async function timedBin(
  { weaviate: server }: BenchServer,
  options: BinOptions,
  args: string[],
  env: Record<string, string>,
  stderr: 'inherit' | 'pipe' = 'pipe',
) {
  const started = performance.now();
  const run = await execa(process.execPath, [...options.flags, BIN, ...args], {
    stderr,
    env: {
      WEAVIATE_URL: server.url,
      WEAVIATE_GRPC_PORT: String(server.grpcPort),
      NODE_COMPILE_CACHE: options.compileCache,
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
      ...env,
    },
  });
  return { run, ms: performance.now() - started };
}

export async function runBin(
  scenario: EngineScenario,
  server: BenchServer,
  options: BinOptions,
  data: readonly string[],
  note: string,
): Promise<ScenarioResult> {
  const args = ['ingest', '--json', '--vectorizer', vectorizerOf(server), ...data.flatMap((d) => ['--data', d])];
  const { batchSize, concurrency } = options.batching(vectorizerOf(server));
  args.push('--batch-size', String(batchSize), '--concurrency', String(concurrency));
  const before = await callsOf(server);
  const { run, ms } = await timedBin(server, options, args, { LOG_LEVEL: 'warn' }, 'inherit');
  const report = JSON.parse(run.stdout) as IngestReport;
  const objects = Object.values(report.collections).reduce((n, c) => n + c.total, 0);
  const inside = `ingest ${seconds(report.ms.total)} of it: ${phases(report)}`;
  return {
    scenario,
    ms,
    objects,
    writes: report.objects.written + report.referencesPass.written,
    deleted: report.referencesPass.deleted,
    peakRssMb: report.peakRssMb,
    ...(server.inference && { calls: (await callsOf(server)) - before, vectorized: report.verify.vectors }),
    note: [note, inside].filter(Boolean).join('; '),
    detail: { collections: report.collections, ms: report.ms, verify: report.verify },
  };
}

/**
 * What a container restart costs: `init` (the entrypoint) once, which takes over the data the
 * `ingest` runs left and publishes its status, then `init` again, timed, which must skip.
 */
export async function runInitRestart(
  server: BenchServer,
  options: BinOptions,
  data: readonly string[],
  objects: number,
): Promise<ScenarioResult> {
  const first = await runInit(server, options, data);
  const before = await callsOf(server);
  const second = await runInit(server, options, data);
  if (second.decision?.decision !== 'skip') {
    throw new Error(`init-restart: the second init did not skip: ${JSON.stringify(second.decision)}`);
  }
  const firstNote = `the first init (${first.decision?.decision}: ${first.decision?.reason}) took ${seconds(first.ms)}`;
  return {
    scenario: 'init-restart',
    ms: second.ms,
    objects,
    writes: 0,
    deleted: 0,
    ...(server.inference && { calls: (await callsOf(server)) - before }),
    note: `${firstNote}; this one decided to skip ${second.decision.decisionMs} ms after Weaviate answered ready`,
  };
}

interface InitRun {
  ms: number;
  decision?: { decision: string; reason: string; decisionMs: number };
}

async function runInit(server: BenchServer, options: BinOptions, data: readonly string[]): Promise<InitRun> {
  const { batchSize, concurrency } = options.batching(vectorizerOf(server));
  const { run, ms } = await timedBin(server, options, ['init', ...data.flatMap((d) => ['--data', d])], {
    ESCO_VECTORIZER: vectorizerOf(server),
    ESCO_BATCH_SIZE: String(batchSize),
    ESCO_CONCURRENCY: String(concurrency),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    NON_INTERACTIVE: 'true',
  });
  const lines = String(run.stderr ?? '')
    .split('\n')
    .flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : []));
  const decision = lines.find((l) => typeof l.decision === 'string') as InitRun['decision'];
  return { ms, decision };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Where the ingest's time went: verification runs beside the writes, so only its tail adds up. */
function phases(report: IngestReport): string {
  const writes = report.objects.ms + report.referencesPass.ms;
  const tail = report.ms.total - report.ms.plan - writes;
  return `plan ${seconds(report.ms.plan)}, writes ${seconds(writes)}, verification after the last write ${seconds(tail)}`;
}
