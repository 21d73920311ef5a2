/**
 * `npm run bench`: ingestion throughput against a real weaviate-server with the full ESCO v1.1.1
 * data, vectorizer none. Each scenario runs in its own Node process (so peak RSS is its own):
 * cold → rerun-unchanged → rerun-changed run the built bin (`npm run build` first) as a container
 * does, the rest run in a child of this script; the ceilings, that chain and the lookup-then-write
 * baseline each get a fresh server. Prints a markdown table and writes
 * bench/results/ingest-<time>.json. Not a test: it asserts nothing, it measures; the targets are
 * printed next to the ratios measured in the same run.
 *
 *   scripts/node.sh node bench/ingest.ts [--data <path>]... [--batch-size n] [--concurrency n]
 *     [--ltw-objects fraction] [--ltw-relations fraction] [--node-options="<extra NODE_OPTIONS>"]
 *     [--scenarios ceiling,ceiling-insertmany,cold,rerun-unchanged,rerun-changed,init-restart,lookup-then-write]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { type LocalWeaviate, startLocalWeaviate } from '../test/support/weaviate-server.ts';
import { writeChangedCopy } from './changed-copy.ts';
import { runBin, runInitRestart } from './engine.ts';
import { type InProcessScenario, runScenario, type ScenarioName, type ScenarioResult } from './scenarios.ts';

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
    'batch-size': { type: 'string', default: '250' },
    concurrency: { type: 'string', default: '8' },
    'ltw-objects': { type: 'string', default: '0.1' },
    'ltw-relations': { type: 'string', default: '0.02' },
    'node-options': { type: 'string', default: '' },
    scenarios: {
      type: 'string',
      default: 'ceiling,ceiling-insertmany,cold,rerun-unchanged,rerun-changed,init-restart,lookup-then-write',
    },
    child: { type: 'string' },
  },
});

export interface BenchOptions {
  data: string[];
  batchSize: number;
  concurrency: number;
  ltwObjects: number;
  ltwRelations: number;
  /** NODE_OPTIONS for the scenario processes (e.g. V8 heap limits), as a deployment would set them. */
  nodeOptions: string;
}

const options: BenchOptions = {
  data: (args.data ?? [path.join(ROOT, '../shared/esco/v1.1.1')]).map((p) => path.resolve(p)),
  batchSize: Number(args['batch-size']),
  concurrency: Number(args.concurrency),
  ltwObjects: Number(args['ltw-objects']),
  ltwRelations: Number(args['ltw-relations']),
  nodeOptions: args['node-options'] ?? '',
};
const wanted = new Set((args.scenarios ?? '').split(','));
const ENGINE: readonly ScenarioName[] = ['cold', 'rerun-unchanged', 'rerun-changed', 'init-restart'];

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
    ['ceiling'],
    ['ceiling-insertmany'],
    ['cold', 'rerun-unchanged', 'rerun-changed', 'init-restart'],
    ['lookup-then-write'],
  ] as ScenarioName[][];
  if (ENGINE.some((n) => wanted.has(n)))
    await execa('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-bench-'));
  try {
    for (const group of groups.map((g) => g.filter((n) => wanted.has(n))).filter((g) => g.length > 0)) {
      const server = await startLocalWeaviate();
      try {
        for (const name of group) {
          console.error(`bench: ${name} (weaviate-server ${server.version} at ${server.url})…`);
          results.push(await run(name, server, scratch, results));
        }
      } finally {
        await server.stop();
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

async function run(
  name: ScenarioName,
  server: LocalWeaviate,
  scratch: string,
  before: readonly ScenarioResult[],
): Promise<ScenarioResult> {
  const bin = { ...options, flags: CLI_FLAGS, compileCache: path.join(scratch, 'node-compile-cache') };
  if (name === 'cold' || name === 'rerun-unchanged') return runBin(name, server, bin, options.data, '');
  if (name === 'init-restart') {
    const objects = before.find((r) => r.scenario === 'cold')?.objects ?? 0;
    return runInitRestart(server, bin, options.data, objects);
  }
  if (name === 'rerun-changed') {
    // Every 100th skill revised, every 200th removed (disjoint): 1 % and 0.5 %.
    const copy = await writeChangedCopy(options.data, path.join(scratch, 'changed'), {
      revise: (i) => i % 100 === 7,
      remove: (i) => i % 200 === 3,
    });
    return runBin(name, server, bin, [copy.dir], `${copy.revised} skills revised, ${copy.removed} removed`);
  }
  return child(name, { WEAVIATE_URL: server.url, WEAVIATE_GRPC_PORT: String(server.grpcPort) });
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

function targets(results: ScenarioResult[]): Target[] {
  const by = (n: ScenarioName) => results.find((r) => r.scenario === n);
  const cold = by('cold');
  if (!cold) return [];
  const checks: Target[] = [];
  const check = (name: string, measured: string, target: string, met: boolean) =>
    checks.push({ name, measured, target, met });
  const versus = (n: ScenarioName, name: string) => {
    const other = by(n);
    if (!other) return;
    const ratio = other.ms / cold.ms;
    check(name, `${ratio.toFixed(2)}×`, '≥ 0.85×', ratio >= 0.85);
  };
  versus('ceiling', 'cold throughput vs ceiling');
  versus('ceiling-insertmany', "cold throughput vs ceiling-insertmany (the issue's literal ceiling)");
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

function renderTable(results: ScenarioResult[], checks: Target[]): string {
  const rows = results.map((r) =>
    [
      r.scenario,
      (r.ms / 1000).toFixed(1),
      Math.round(r.objects / (r.ms / 1000)).toLocaleString('en'),
      String(r.writes),
      String(r.deleted),
      r.peakRssMb === undefined ? '' : String(r.peakRssMb),
      r.note,
    ].join(' | '),
  );
  const checkRows = checks.map((c) => `| ${c.name} | ${c.measured} | ${c.target} | ${c.met ? 'met' : 'NOT met'} |`);
  return [
    `times are wall times (for cold and the reruns: the bin's process, start-up included); batch size ${options.batchSize}, concurrency ${options.concurrency}, vectorizer none, ${results[0]?.objects ?? '?'} objects, node flags "${CLI_FLAGS.join(' ')}" (as the bin), NODE_OPTIONS "${options.nodeOptions}", MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}`,
    '',
    '| scenario | time (s) | objects/s | objects written | deleted | peak RSS (MB) | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    '| target | measured | wanted | |',
    '| --- | --- | --- | --- |',
    ...checkRows,
  ].join('\n');
}
