/**
 * `npm run bench`: ingestion throughput against a real weaviate-server with the full ESCO v1.1.1
 * data, on the default path (text2vec-transformers with the project's inference service running
 * the real model) and, for the write engine alone, without vectors. Each scenario runs in its own
 * Node process (so peak RSS is its own): cold-vectors → rerun-unchanged → rerun-changed →
 * init-restart run the built bin (`npm run build` first) as a container does, on one server and
 * inference service, counting the inference calls; vectorize-ceiling sends the module's texts
 * straight to a fresh inference service; ceiling and cold (vectorizer none) each get a fresh server.
 * Prints a markdown table and writes bench/results/ingest-<time>.json. Not a test: it asserts
 * nothing, it measures; the targets are printed next to the ratios measured in the same run.
 *
 *   scripts/node.sh node bench/ingest.ts [--data <path>]... [--batch-size n] [--concurrency n]
 *     [--ltw-objects fraction] [--ltw-relations fraction] [--node-options="<extra NODE_OPTIONS>"]
 *     [--scenarios vectorize-ceiling,cold-vectors,rerun-unchanged,rerun-changed,init-restart,ceiling,cold,
 *                  ceiling-insertmany,lookup-then-write]
 *   (batch size and concurrency default to the config's, by vectorizer: ingest.batching)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { loadConfig } from '../src/config/config.ts';
import type { Vectorizer } from '../src/weaviate/schema.ts';
import { startInference } from '../test/support/inference.ts';
import { startLocalWeaviate } from '../test/support/weaviate-server.ts';
import { writeChangedCopy } from './changed-copy.ts';
import { type BenchServer, runBin, runInitRestart } from './engine.ts';
import { type InProcessScenario, runScenario, type ScenarioName, type ScenarioResult } from './scenarios.ts';
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
      default: 'vectorize-ceiling,cold-vectors,rerun-unchanged,rerun-changed,init-restart,ceiling,cold',
    },
    child: { type: 'string' },
  },
});

export interface BenchOptions {
  data: string[];
  /** Batch size and requests in flight of a run with this vectorizer: the flags, else the config's. */
  batching: (vectorizer: Vectorizer) => { batchSize: number; concurrency: number };
  /** The batching of the in-process scenarios (vectorizer none). */
  batchSize: number;
  concurrency: number;
  ltwObjects: number;
  ltwRelations: number;
  /** NODE_OPTIONS for the scenario processes (e.g. V8 heap limits), as a deployment would set them. */
  nodeOptions: string;
}

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
const wanted = new Set((args.scenarios ?? '').split(','));
const ENGINE: readonly ScenarioName[] = ['cold', 'cold-vectors', 'rerun-unchanged', 'rerun-changed', 'init-restart'];
/** Scenarios that run on the vector path (a server with the module and an inference service). */
const VECTORS: readonly ScenarioName[] = [
  'vectorize-ceiling',
  'cold-vectors',
  'rerun-unchanged',
  'rerun-changed',
  'init-restart',
];

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
  const groups = [
    ['vectorize-ceiling'],
    ['cold-vectors', 'rerun-unchanged', 'rerun-changed', 'init-restart'],
    ['ceiling'],
    ['cold'],
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
  const env = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? null, nodeFlags: CLI_FLAGS };
  const report = { at: new Date().toISOString(), options, env, results, targets: targets(results) };
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `ingest-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderTable(results, report.targets));
  console.log(`\nJSON: ${path.relative(ROOT, file)}`);
}

/** A fresh inference service for the vector scenarios, and a fresh Weaviate (with the module) unless only the service is measured. */
async function startServer(group: ScenarioName[]): Promise<Partial<BenchServer>> {
  const inference = VECTORS.includes(group[0] as ScenarioName) ? await startInference() : undefined;
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
  const bench = { weaviate: server.weaviate, inference: server.inference };
  const bin = { ...options, flags: CLI_FLAGS, compileCache: path.join(scratch, 'node-compile-cache') };
  if (name === 'cold' || name === 'cold-vectors' || name === 'rerun-unchanged')
    return runBin(name, bench, bin, options.data, '');
  if (name === 'init-restart') {
    const objects = before.find((r) => r.scenario === 'cold-vectors')?.objects ?? 0;
    return runInitRestart(bench, bin, options.data, objects);
  }
  if (name === 'rerun-changed') {
    // Every 100th skill revised, every 200th removed (disjoint): 1 % and 0.5 %.
    const copy = await writeChangedCopy(options.data, path.join(scratch, 'changed'), {
      revise: (i) => i % 100 === 7,
      remove: (i) => i % 200 === 3,
    });
    const result = await runBin(
      name,
      bench,
      bin,
      [copy.dir],
      `${copy.revised} skills revised, ${copy.removed} removed`,
    );
    return { ...result, ...(bench.inference && { expectedCalls: copy.revised }) };
  }
  return child(name, { WEAVIATE_URL: server.weaviate.url, WEAVIATE_GRPC_PORT: String(server.weaviate.grpcPort) });
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

interface Target {
  name: string;
  measured: string;
  target: string;
  met: boolean;
}

type Check = (name: string, measured: string, target: string, met: boolean) => void;

function targets(results: ScenarioResult[]): Target[] {
  const by = (n: ScenarioName) => results.find((r) => r.scenario === n);
  const checks: Target[] = [];
  const check: Check = (name, measured, target, met) => checks.push({ name, measured, target, met });
  const cold = by('cold') ?? by('cold-vectors');
  if (!cold) return checks;
  const versus = (n: ScenarioName, name: string) => {
    const other = by(n);
    if (!other) return;
    const ratio = other.ms / cold.ms;
    check(name, `${ratio.toFixed(2)}×`, '≥ 0.85×', ratio >= 0.85);
  };
  versus('ceiling', 'cold (vectorizer none) throughput vs ceiling');
  versus('ceiling-insertmany', 'cold (vectorizer none) throughput vs ceiling-insertmany');
  vectorTargets(by, check);
  const ltw = by('lookup-then-write');
  if (ltw)
    check('cold vs lookup-then-write', `${(ltw.ms / cold.ms).toFixed(1)}× faster`, '≥ 20×', ltw.ms / cold.ms >= 20);
  const unchanged = by('rerun-unchanged');
  if (unchanged) {
    const share = unchanged.ms / cold.ms;
    check('rerun-unchanged time vs cold', `${(share * 100).toFixed(1)} %`, '≤ 15 %', share <= 0.15);
    check('rerun-unchanged writes', String(unchanged.writes), '0', unchanged.writes === 0);
  }
  for (const r of results.filter((r) => r.peakRssMb !== undefined))
    check(`${r.scenario} peak RSS`, `${r.peakRssMb} MB`, '≤ 250 MB', (r.peakRssMb ?? 0) <= 250);
  return checks;
}

/** The vector path: against the service's own ceiling, one call per object, none when unchanged. */
function vectorTargets(by: (n: ScenarioName) => ScenarioResult | undefined, check: Check): void {
  const cold = by('cold-vectors');
  const ceiling = by('vectorize-ceiling');
  if (cold && ceiling) {
    const ratio = ceiling.ms / cold.ms;
    check('cold-vectors throughput vs vectorize-ceiling', `${ratio.toFixed(2)}×`, '≥ 0.8×', ratio >= 0.8);
  }
  if (cold?.calls !== undefined && cold.vectorized) {
    const perObject = cold.calls / cold.vectorized;
    check('cold-vectors inference calls per vectorized object', perObject.toFixed(3), '1.000', perObject === 1);
  }
  for (const name of ['rerun-unchanged', 'init-restart'] as const) {
    const r = by(name);
    if (r?.calls !== undefined) check(`${name} inference calls`, String(r.calls), '0', r.calls === 0);
  }
  const changed = by('rerun-changed');
  if (changed?.calls !== undefined && changed.expectedCalls !== undefined) {
    const { calls, expectedCalls } = changed;
    check(
      'rerun-changed inference calls (= revised concepts)',
      String(calls),
      String(expectedCalls),
      calls === expectedCalls,
    );
  }
  const restart = by('init-restart');
  if (restart)
    check('init-restart (warm container restart)', `${(restart.ms / 1000).toFixed(2)} s`, '< 1 s', restart.ms < 1000);
}

function renderTable(results: ScenarioResult[], checks: Target[]): string {
  const rows = results.map((r) =>
    [
      r.scenario,
      (r.ms / 1000).toFixed(1),
      Math.round(r.objects / (r.ms / 1000)).toLocaleString('en'),
      String(r.writes),
      String(r.deleted),
      r.peakRssMb === undefined ? '' : String(r.peakRssMb),
      r.calls === undefined ? '' : String(r.calls),
      r.note,
    ].join(' | '),
  );
  const checkRows = checks.map((c) => `| ${c.name} | ${c.measured} | ${c.target} | ${c.met ? 'met' : 'NOT met'} |`);
  const show = (v: Vectorizer) => `${options.batching(v).batchSize}×${options.batching(v).concurrency}`;
  return [
    `times are wall times (for the bin's scenarios: its process, start-up included); batch size × concurrency ${show('text2vec-transformers')} with the vectorizer, ${show('none')} without; cold-vectors and the reruns vectorize with text2vec-transformers (the inference service, int8), cold and ceiling use vectorizer none; node flags "${CLI_FLAGS.join(' ')}" (as the bin), NODE_OPTIONS "${options.nodeOptions}", MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}`,
    '',
    '| scenario | time (s) | objects/s | objects written | deleted | peak RSS (MB) | inference calls | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    '| target | measured | wanted | |',
    '| --- | --- | --- | --- |',
    ...checkRows,
  ].join('\n');
}
