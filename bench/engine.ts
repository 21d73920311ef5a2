/**
 * The engine scenarios, run the way a container runs them: the built bin (`dist/cli.js init`, the
 * entrypoint, which builds each ingestion as a generation behind the aliases) with its own V8
 * flags, in a process of its own, against the bench's server (with the text2vec-transformers
 * module and the inference service on the vector path, whose calls it counts). Time is the
 * process's wall time, start-up included; peak RSS is the process's own (bench/peak-rss.ts);
 * writes come from the bin's NDJSON log; storage is `du` of Weaviate's data dir right after the
 * run (the write-ahead logs of what is not flushed yet included). Node's compile cache lives in
 * the bench's scratch folder: cold compiles the modules as a fresh container does, later runs
 * find them cached as a restarted container or a host install does.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { LocalInference } from '../scripts/local/inference.ts';
import type { LocalWeaviate } from '../scripts/local/weaviate-server.ts';
import type { BenchOptions } from './options.ts';
import type { EngineScenario, ScenarioResult } from './scenarios.ts';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const PEAK_RSS = pathToFileURL(fileURLToPath(new URL('./peak-rss.ts', import.meta.url))).href;

export type BinOptions = BenchOptions & { flags: string[]; compileCache: string };

/** The server a chain of engine scenarios runs against, and its inference service on the vector path. */
export interface BenchServer {
  weaviate: LocalWeaviate;
  inference?: LocalInference;
}

/** What one scenario runs and what it must decide. */
export interface InitScenario {
  scenario: EngineScenario;
  data: readonly string[];
  expect: 'ingest' | 'skip';
  /** Objects in the dataset, when the run does not build a plan (a skip). */
  objects?: number;
  note?: string;
  expectedCalls?: number;
}

type LogLine = Record<string, unknown> & { msg?: string; time?: number };

const vectorizerOf = (server: BenchServer) => (server.inference ? 'text2vec-transformers' : 'none');
const callsOf = async (server: BenchServer) => (await server.inference?.stats())?.requests ?? 0;
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** One `esco-init init`, timed by the wall clock from the process's start. */
export async function runInitScenario(server: BenchServer, options: BinOptions, s: InitScenario) {
  const before = await callsOf(server);
  const run = await runInit(server, options, s.data);
  const decision = run.lines.find((l) => typeof l.decision === 'string');
  if (decision?.decision !== s.expect)
    throw new Error(`${s.scenario}: init decided ${JSON.stringify(decision)}, the bench expected ${s.expect}`);
  const sum = (msg: string, key: string) => run.lines.filter((l) => l.msg === msg).reduce((n, l) => n + num(l[key]), 0);
  const planned = run.lines.find((l) => l.msg === 'plan built');
  const result: ScenarioResult = {
    scenario: s.scenario,
    ms: run.ms,
    objects: planned ? objectsOf(planned) : (s.objects ?? 0),
    writes: sum('objects pass', 'created') + sum('references pass', 'written'),
    deleted: sum('deleted objects no longer in the dataset', 'deleted'),
    peakRssMb: run.peakRssMb,
    dataDirMb: await duMb(server.weaviate.dataDir),
    ...(server.inference && { calls: (await callsOf(server)) - before }),
    ...(s.expectedCalls !== undefined && { expectedCalls: s.expectedCalls }),
    note: [s.note, describe(run.lines, decision)].filter(Boolean).join('; '),
  };
  const verified = run.lines.find((l) => l.msg === 'verified');
  if (server.inference && verified) result.vectorized = num(verified.vectors);
  return result;
}

interface InitRun {
  ms: number;
  lines: LogLine[];
  peakRssMb?: number;
}

async function runInit(server: BenchServer, options: BinOptions, data: readonly string[]): Promise<InitRun> {
  const { batchSize, concurrency } = options.batching(vectorizerOf(server));
  const started = performance.now();
  const run = await execa(process.execPath, [...options.flags, BIN, 'init', ...data.flatMap((d) => ['--data', d])], {
    env: {
      WEAVIATE_URL: server.weaviate.url,
      WEAVIATE_GRPC_PORT: String(server.weaviate.grpcPort),
      NODE_COMPILE_CACHE: options.compileCache,
      NODE_OPTIONS: [`--import=${PEAK_RSS}`, options.nodeOptions].filter(Boolean).join(' '),
      ESCO_VECTORIZER: vectorizerOf(server),
      ESCO_BATCH_SIZE: String(batchSize),
      ESCO_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      NON_INTERACTIVE: 'true',
    },
  });
  const ms = performance.now() - started;
  const lines = String(run.stderr ?? '')
    .split('\n')
    .flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as LogLine] : []));
  const rss = lines.find((l) => typeof l.benchPeakRssMb === 'number');
  return { ms, lines, peakRssMb: rss ? num(rss.benchPeakRssMb) : undefined };
}

/** The decision, the generation built and dropped, and when the phases ended (from the log's times). */
function describe(lines: LogLine[], decision: LogLine | undefined): string {
  const parts = [`${decision?.decision}: ${decision?.reason} (${num(decision?.decisionMs)} ms after ready)`];
  const built = lines.find((l) => typeof l.generation === 'number' && typeof l.resumes === 'boolean');
  if (built) parts.push(`built generation ${built.generation}`);
  const dropped = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('dropped generation'));
  for (const l of dropped) parts.push(String(l.msg));
  const start = num(lines[0]?.time);
  const at = (msg: string) => {
    const l = lines.findLast((x) => x.msg === msg);
    return l ? `${msg} at ${((num(l.time) - start) / 1000).toFixed(1)} s` : undefined;
  };
  if (built) parts.push(...[at('plan built'), at('references pass'), at('verified')].filter((p) => p !== undefined));
  return parts.join(', ');
}

/** The plan's objects: a count per collection. */
const objectsOf = (planned: LogLine) =>
  Object.values((planned.objects ?? {}) as Record<string, number>).reduce((n, c) => n + c, 0);

async function duMb(dir: string): Promise<number> {
  const { stdout } = await execa('du', ['-sk', dir]);
  return Math.round(Number(stdout.split('\t')[0]) / 1024);
}
