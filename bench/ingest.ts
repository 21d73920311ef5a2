/**
 * `npm run bench`: ingestion as users run it, against a real weaviate-server with the full ESCO
 * v1.1.1 data: `esco-init init`, the entrypoint, which builds each ingestion as a generation
 * (`Skill_g7`, …) behind the published aliases. On the vector path (text2vec-transformers with the
 * project's inference service running the real model) and without vectors, each on one fresh
 * server: cold → restart (over complete data: must skip) → upgrade (a copy with 10 % of skills and
 * occupations revised, some removed and some added, published over the original as a second
 * generation). Against the ceilings measured in the same run: vectorize-ceiling sends the module's
 * texts straight to a fresh inference service; ceiling sends the engine's own writes raw to a fresh
 * server. Each scenario runs in its own Node process (so peak RSS is its own); the bin's scenarios
 * run the built bin (`npm run build` first), counting the inference calls and the data dir's size.
 * Prints a markdown table and writes bench/results/ingest-<time>.json, with the load average at
 * the start and the end (the machine may be shared). Not a test: it asserts nothing, it measures;
 * the targets are printed next to the figures measured in the same run.
 *
 *   scripts/node.sh node bench/ingest.ts [--data <path>]... [--batch-size n] [--concurrency n]
 *     [--ltw-objects fraction] [--ltw-relations fraction] [--node-options="<extra NODE_OPTIONS>"]
 *     [--scenarios vectorize-ceiling,cold-vectors,restart-vectors,upgrade-vectors,ceiling,cold,restart,upgrade,
 *                  ceiling-insertmany,lookup-then-write]
 *   (batch size and concurrency default to the config's, by vectorizer: ingest.batching)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { type InferenceMeta, startInference } from '../scripts/local/inference.ts';
import { startLocalWeaviate } from '../scripts/local/weaviate-server.ts';
import { loadConfig } from '../src/config/config.ts';
import type { Vectorizer } from '../src/weaviate/schema.ts';
import { type ChangedCopy, TEN_PERCENT, writeChangedCopy } from './changed-copy.ts';
import { type BenchServer, type BinOptions, runInitScenario } from './engine.ts';
import { renderTable, targets } from './ingest-report.ts';
import { describeMachine, machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import {
  type EngineScenario,
  type InProcessScenario,
  runScenario,
  type ScenarioName,
  type ScenarioResult,
} from './scenarios.ts';
import { vectorizeCeiling } from './vectorize.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The V8 flags the esco-init bin runs with (its shebang line): the scenarios run with them too. */
const CLI_FLAGS = (readFileSync(path.join(ROOT, 'src/cli.ts'), 'utf8').split('\n')[0] ?? '')
  .replace(/^#!\/usr\/bin\/env -S node/, '')
  .trim()
  .split(/\s+/)
  .filter(Boolean);

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    'batch-size': { type: 'string' },
    concurrency: { type: 'string' },
    'ltw-objects': { type: 'string', default: '0.1' },
    'ltw-relations': { type: 'string', default: '0.02' },
    'node-options': { type: 'string', default: '' },
    scenarios: {
      type: 'string',
      default: 'vectorize-ceiling,cold-vectors,restart-vectors,upgrade-vectors,ceiling,cold,restart,upgrade',
    },
    child: { type: 'string' },
  },
});

const batching = (vectorizer: Vectorizer) => {
  const flags = { batchSize: args['batch-size'], concurrency: args.concurrency };
  const { batchSize, concurrency } = loadConfig({ ingest: { vectorizer, ...flags } }, {}).ingest;
  return { batchSize, concurrency };
};
const options: BenchOptions = {
  data: (args.data ?? [path.join(ROOT, '../shared/esco/v1.1.1')]).map((p) => path.resolve(p)),
  batching,
  ...batching('none'),
  ltwObjects: Number(args['ltw-objects']),
  ltwRelations: Number(args['ltw-relations']),
  nodeOptions: args['node-options'] ?? '',
};
/** The upgrade's dataset, written once per bench run (both upgrades read it). */
let changed: Promise<ChangedCopy> | undefined;
const wanted = new Set((args.scenarios ?? '').split(','));
const ENGINE: readonly ScenarioName[] = [
  'cold',
  'restart',
  'upgrade',
  'cold-vectors',
  'restart-vectors',
  'upgrade-vectors',
];
/** Scenarios that run on the vector path (a server with the module and an inference service). */
const VECTORS: readonly ScenarioName[] = ['vectorize-ceiling', 'cold-vectors', 'restart-vectors', 'upgrade-vectors'];

/** What the inference service said of its runtime (auto: chosen at start on this CPU); main() sets it. */
let inferenceRuntime: InferenceMeta | undefined;

if (args.child) {
  // Child mode: one scenario against the server in WEAVIATE_URL; the result is the last stdout line.
  const result = await runScenario(args.child as InProcessScenario, options, {
    url: process.env.WEAVIATE_URL ?? '',
    grpcPort: Number(process.env.WEAVIATE_GRPC_PORT),
    startupTimeoutSeconds: 30,
  });
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
} else {
  await main();
}

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  const load = { start: loadavg().map((l) => Number(l.toFixed(2))), end: [] as number[] };
  const groups = [
    ['vectorize-ceiling'],
    ['cold-vectors', 'restart-vectors', 'upgrade-vectors'],
    ['ceiling'],
    ['cold', 'restart', 'upgrade'],
    ['ceiling-insertmany'],
    ['lookup-then-write'],
  ] as ScenarioName[][];
  if (ENGINE.some((n) => wanted.has(n)))
    await execa('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-bench-'));
  try {
    for (const group of groups.map((g) => g.filter((n) => wanted.has(n))).filter((g) => g.length > 0)) {
      const server = await startServer(group);
      try {
        for (const name of group) {
          console.error(`bench: ${name} (${describe(server)})…`);
          results.push(await run(name, server, scratch, results));
        }
      } finally {
        await server.weaviate?.stop();
        await server.inference?.stop();
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  load.end = loadavg().map((l) => Number(l.toFixed(2)));
  const env = {
    machine: machine(),
    inferenceRuntime: inferenceRuntime && { runtime: inferenceRuntime.runtime, ...inferenceRuntime.runtime_choice },
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? null,
    nodeFlags: CLI_FLAGS,
    loadavg: load,
  };
  const report = { at: new Date().toISOString(), options, env, results, targets: targets(results) };
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `ingest-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderTable(results, report.targets, header(load)));
  console.log(`\nJSON: ${path.relative(ROOT, file)}`);
}

/** A fresh inference service for the vector scenarios, and a fresh Weaviate (with the module) unless only the service is measured. */
async function startServer(group: ScenarioName[]): Promise<Partial<BenchServer>> {
  const inference = VECTORS.includes(group[0] as ScenarioName) ? await startInference() : undefined;
  inferenceRuntime = (await inference?.meta()) ?? inferenceRuntime;
  if (group[0] === 'vectorize-ceiling') return { inference };
  return { weaviate: await startLocalWeaviate({ inferenceUrl: inference?.url }), inference };
}

function describe(server: Partial<BenchServer>): string {
  const parts = [server.weaviate && `weaviate-server ${server.weaviate.version} at ${server.weaviate.url}`];
  parts.push(server.inference && `inference at ${server.inference.url}`);
  return parts.filter(Boolean).join(', ');
}

async function run(
  name: ScenarioName,
  server: Partial<BenchServer>,
  scratch: string,
  before: readonly ScenarioResult[],
): Promise<ScenarioResult> {
  if (name === 'vectorize-ceiling') {
    if (!server.inference) throw new Error('vectorize-ceiling needs an inference service');
    return vectorizeCeiling(server.inference, options.data);
  }
  if (!server.weaviate) throw new Error(`${name} needs a Weaviate`);
  if (ENGINE.includes(name)) {
    const bench = { weaviate: server.weaviate, inference: server.inference };
    const bin = { ...options, flags: CLI_FLAGS, compileCache: path.join(scratch, 'node-compile-cache') };
    return engine(name as EngineScenario, bench, bin, scratch, before);
  }
  return child(name as InProcessScenario, {
    WEAVIATE_URL: server.weaviate.url,
    WEAVIATE_GRPC_PORT: String(server.weaviate.grpcPort),
  });
}

/** cold and restart read the dataset; upgrade a changed copy of it, written once per bench run. */
async function engine(
  name: EngineScenario,
  server: BenchServer,
  bin: BinOptions,
  scratch: string,
  before: readonly ScenarioResult[],
): Promise<ScenarioResult> {
  const data = options.data;
  if (name === 'cold' || name === 'cold-vectors')
    return runInitScenario(server, bin, { scenario: name, data, expect: 'ingest' });
  if (name === 'restart' || name === 'restart-vectors') {
    const objects = before.findLast((r) => r.scenario.startsWith('cold'))?.objects;
    return runInitScenario(server, bin, { scenario: name, data, expect: 'skip', objects });
  }
  changed ??= writeChangedCopy(data, path.join(scratch, 'changed'), TEN_PERCENT);
  const copy = await changed;
  const note = `${copy.revised} skills and occupations revised, ${copy.removed} removed, ${copy.added} added`;
  // With vectors carried over from the published generation, only the new texts cost a call.
  const expectedCalls = server.inference ? copy.revised + copy.added : undefined;
  return runInitScenario(server, bin, { scenario: name, data: [copy.dir], expect: 'ingest', note, expectedCalls });
}

async function child(name: InProcessScenario, env: Record<string, string>): Promise<ScenarioResult> {
  const argv = [fileURLToPath(import.meta.url), '--child', name, '--batch-size', String(options.batchSize)];
  argv.push('--concurrency', String(options.concurrency), '--ltw-objects', String(options.ltwObjects));
  argv.push('--ltw-relations', String(options.ltwRelations), ...options.data.flatMap((d) => ['--data', d]));
  const nodeEnv = options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {};
  const run = await execa(process.execPath, [...CLI_FLAGS, ...argv], {
    env: { ...env, ...nodeEnv },
    stderr: 'inherit',
    cwd: ROOT,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ScenarioResult;
}

/** What the figures depend on: the CPU, batching, vectorizers, node flags, and the machine's load. */
function header(load: { start: number[]; end: number[] }): string {
  const show = (v: Vectorizer) => `${options.batching(v).batchSize}×${options.batching(v).concurrency}`;
  const runtime = inferenceRuntime
    ? `${inferenceRuntime.runtime}: ${inferenceRuntime.runtime_choice.reason}`
    : 'not started';
  return `CPU ${describeMachine()}; times are wall times (for the bin's scenarios: its process, start-up included); batch size × concurrency ${show('text2vec-transformers')} with the vectorizer, ${show('none')} without; the -vectors scenarios vectorize with text2vec-transformers (the inference service, ${runtime}), cold, restart, upgrade and ceiling use vectorizer none; node flags "${CLI_FLAGS.join(' ')}" (as the bin), NODE_OPTIONS "${options.nodeOptions}", MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}; load average (1, 5, 15 min) ${load.start.join(', ')} at the start, ${load.end.join(', ')} at the end`;
}
