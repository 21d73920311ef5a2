/**
 * `npm run bench`: ingestion throughput against a real weaviate-server with the full ESCO v1.1.1
 * data, vectorizer none. Each scenario runs in its own Node process (so peak RSS is its own);
 * ceiling, the cold→rerun chain and the lookup-then-write baseline each get a fresh server.
 * Prints a markdown table and writes bench/results/ingest-<time>.json. Not a test: it asserts
 * nothing, it measures; the targets are printed next to the ratios measured in the same run.
 *
 *   scripts/node.sh node bench/ingest.ts [--data <path>]... [--batch-size n] [--concurrency n]
 *     [--ltw-objects fraction] [--ltw-relations fraction] [--node-options="<extra NODE_OPTIONS>"]
 *     [--scenarios ceiling,ceiling-insertmany,cold,rerun-unchanged,rerun-changed,lookup-then-write]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startLocalWeaviate } from '../test/support/weaviate-server.ts';
import { runScenario, type ScenarioName, type ScenarioResult } from './scenarios.ts';

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
      default: 'ceiling,ceiling-insertmany,cold,rerun-unchanged,rerun-changed,lookup-then-write',
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

if (args.child) {
  // Child mode: one scenario against the server in WEAVIATE_URL; the result is the last stdout line.
  const result = await runScenario(args.child as ScenarioName, options, {
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
    ['cold', 'rerun-unchanged', 'rerun-changed'],
    ['lookup-then-write'],
  ] as ScenarioName[][];
  for (const group of groups.map((g) => g.filter((n) => wanted.has(n))).filter((g) => g.length > 0)) {
    const server = await startLocalWeaviate();
    try {
      for (const name of group) {
        console.error(`bench: ${name} (weaviate-server ${server.version} at ${server.url})…`);
        results.push(await child(name, { WEAVIATE_URL: server.url, WEAVIATE_GRPC_PORT: String(server.grpcPort) }));
      }
    } finally {
      await server.stop();
    }
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

async function child(name: ScenarioName, env: Record<string, string>): Promise<ScenarioResult> {
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
  const ceiling = by('ceiling');
  const cold = by('cold');
  const unchanged = by('rerun-unchanged');
  const ltw = by('lookup-then-write');
  if (!ceiling || !cold || !unchanged || !ltw) return [];
  const ratio = ceiling.ms / cold.ms;
  const speedup = ltw.ms / cold.ms;
  const share = unchanged.ms / cold.ms;
  const grpc = by('ceiling-insertmany');
  const viaInsertMany = grpc ? grpc.ms / cold.ms : undefined;
  return [
    { name: 'cold throughput vs ceiling', measured: `${ratio.toFixed(2)}×`, target: '≥ 0.85×', met: ratio >= 0.85 },
    ...(viaInsertMany === undefined
      ? []
      : [
          {
            name: "cold throughput vs ceiling-insertmany (the issue's literal ceiling)",
            measured: `${viaInsertMany.toFixed(2)}×`,
            target: '≥ 0.85×',
            met: viaInsertMany >= 0.85,
          },
        ]),
    {
      name: 'cold vs lookup-then-write',
      measured: `${speedup.toFixed(1)}× faster`,
      target: '≥ 20×',
      met: speedup >= 20,
    },
    {
      name: 'rerun-unchanged time vs cold',
      measured: `${(share * 100).toFixed(1)} %`,
      target: '≤ 15 %',
      met: share <= 0.15,
    },
    { name: 'rerun-unchanged writes', measured: String(unchanged.writes), target: '0', met: unchanged.writes === 0 },
    { name: 'cold peak RSS', measured: `${cold.peakRssMb} MB`, target: '≤ 250 MB', met: (cold.peakRssMb ?? 0) <= 250 },
  ];
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
    `batch size ${options.batchSize}, concurrency ${options.concurrency}, vectorizer none, ${results[0]?.objects ?? '?'} objects, node flags "${CLI_FLAGS.join(' ')}" (as the bin), NODE_OPTIONS "${options.nodeOptions}", MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? 'unset'}`,
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
