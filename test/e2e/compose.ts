/**
 * Compose end-to-end driver (run through scripts/e2e.sh: `npm run test:e2e`). Builds the images,
 * then drives the REAL compose file through the scenarios (test/e2e/scenarios.ts) and prints a
 * timing table and the image sizes. Every compose project is torn down after its scenario,
 * also when it fails or the run is interrupted.
 *
 * Usage: scripts/e2e.sh [--cold] [--quick] [scenario...]
 *   --cold   rebuild the cached base images first (to measure a cold run)
 *   --quick  leave the official v1.1.1 dataset out (no cold-full)
 *
 * The scenarios run docker-compose.yml, the default stack with the t2v-transformers vectorizer
 * and vectors; one runs docker-compose.no-transformers.yml (BM25 only). Every image is built
 * here under the name the compose file uses (images.ts): no registry can be reached.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { buildImages, type ImageNames, imageSizeMb } from './images.ts';
import { run, tail } from './podman.ts';
import { SCENARIOS, type ScenarioContext, Skip } from './scenarios.ts';
import { Stack } from './stack.ts';
import { readTruth, type Truth } from './truth.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE_FILE = 'docker-compose.yml';
const BM25_COMPOSE_FILE = 'docker-compose.no-transformers.yml';
const ADMIN_OVERRIDE_FILE = 'docker-compose.admin.yml';

interface Row {
  name: string;
  result: 'ok' | 'FAILED' | 'skipped';
  seconds: number;
  metrics: string[];
  error?: string;
}

const live = new Set<Stack>();

async function main(argv: string[]): Promise<number> {
  const cold = argv.includes('--cold');
  const quick = argv.includes('--quick');
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  for (const name of ['DOCKER_HOST', 'CONTAINERS_CONF', 'ESCO_E2E_CACHE']) {
    if (!process.env[name]) throw new Error(`${name} is not set: run the suite through scripts/e2e.sh`);
  }
  const phases: Row[] = [];
  const time = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    phases.push({ name: label, result: 'ok', seconds: (performance.now() - started) / 1000, metrics: [] });
    return result;
  };
  const names = imageNames();
  await time('compose config (both files, with and without the admin override)', () => validateComposeFiles());
  await buildImages({ root: ROOT, cache: process.env.ESCO_E2E_CACHE ?? '', names, cold, log, time });
  const rows: Row[] = [];
  for (const scenario of SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    log(`scenario ${scenario.name}: ${scenario.summary}`);
    const row = await runScenario(scenario.name, scenario.run, quick ? null : fullDataset());
    rows.push(row);
    log(
      `scenario ${scenario.name}: ${row.result} in ${row.seconds.toFixed(1)} s${row.error ? ` (${row.error.split('\n')[0]})` : ''}`,
    );
  }
  printReport(phases, rows, await imageSizes(names));
  const count = (result: Row['result']) => rows.filter((r) => r.result === result).length;
  console.log(`${count('ok')} passed, ${count('FAILED')} failed, ${count('skipped')} skipped`);
  return count('FAILED') === 0 ? 0 : 1;
}

/** The image names exactly as docker-compose.yml spells them. */
function imageNames(): ImageNames {
  const doc = parseYaml(readFileSync(path.join(ROOT, COMPOSE_FILE), 'utf8')) as {
    services: Record<string, { image?: string }>;
  };
  const weaviate = doc.services.weaviate?.image;
  const inference = doc.services['t2v-transformers']?.image;
  const project = doc.services['esco-init']?.image?.replace(/^\$\{ESCO_INIT_IMAGE:-(.+)\}$/, '$1');
  if (!weaviate || !inference || !project) {
    throw new Error(`${COMPOSE_FILE} names no weaviate, t2v-transformers or esco-init image`);
  }
  return { weaviate, inference, project };
}

async function validateComposeFiles(): Promise<void> {
  for (const file of [COMPOSE_FILE, BM25_COMPOSE_FILE]) {
    await run('docker-compose', ['-f', file, 'config', '--quiet'], { cwd: ROOT });
    await run('docker-compose', ['-f', file, '-f', ADMIN_OVERRIDE_FILE, 'config', '--quiet'], { cwd: ROOT });
  }
}

async function runScenario(
  name: string,
  body: (ctx: ScenarioContext) => Promise<void>,
  fullDir: string | null,
): Promise<Row> {
  const started = performance.now();
  const metrics: string[] = [];
  const stacks: Stack[] = [];
  const cleanups: (() => void)[] = [];
  const ctx: ScenarioContext = {
    sampleDir: path.join(ROOT, 'data/sample'),
    fullDir,
    async stack(label, dataDir, options = {}) {
      const project = `escoe2e-${label}-${process.pid}`.replace(/[^a-z0-9-]/g, '');
      const files = [options.vectors === false ? BM25_COMPOSE_FILE : COMPOSE_FILE];
      if (options.admin) files.push(ADMIN_OVERRIDE_FILE);
      const stack = await Stack.create({ root: ROOT, files, project, dataDir });
      stacks.push(stack);
      live.add(stack);
      return stack;
    },
    truth: cachedTruth,
    metric: (key, value) => metrics.push(`${key}: ${value}`),
    log,
    defer: (cleanup) => cleanups.push(cleanup),
  };
  let error: string | undefined;
  let result: Row['result'] = 'ok';
  try {
    await body(ctx);
  } catch (failure) {
    if (failure instanceof Skip) {
      result = 'skipped';
      error = failure.message;
      console.error(`  ${name} SKIPPED: ${error}`);
    } else {
      result = 'FAILED';
      error = (failure as Error).stack ?? String(failure);
      console.error(`  ${name} FAILED: ${error}`);
      for (const stack of stacks) await printLogs(stack);
    }
  } finally {
    for (const stack of stacks) {
      await stack.down();
      live.delete(stack);
    }
    for (const cleanup of cleanups) cleanup();
  }
  return { name, result, seconds: (performance.now() - started) / 1000, metrics, error };
}

function fullDataset(): string | null {
  const dir = path.resolve(ROOT, '../shared/esco/v1.1.1');
  return existsSync(dir) ? dir : null;
}

const truths = new Map<string, Promise<Truth>>();
function cachedTruth(dataDir: string): Promise<Truth> {
  let truth = truths.get(dataDir);
  if (!truth) {
    truth = readTruth(dataDir);
    truths.set(dataDir, truth);
  }
  return truth;
}

async function printLogs(stack: Stack): Promise<void> {
  const services = new Set((await stack.containers().catch(() => [])).map((c) => c.service));
  for (const service of [...services].sort()) {
    const logs = await stack.logs(service).catch((e: Error) => e.message);
    console.error(`  --- ${stack.options.project} ${service} (last 25 lines) ---\n${tail(logs, 25)}`);
  }
}

async function imageSizes(names: ImageNames): Promise<string> {
  const sizes = [
    `esco-init ${await imageSizeMb(names.project)} MB`,
    `weaviate ${await imageSizeMb(names.weaviate)} MB`,
    `t2v-transformers ${await imageSizeMb(names.inference)} MB`,
  ];
  return `image sizes (local builds): ${sizes.join(', ')}`;
}

function printReport(phases: Row[], rows: Row[], sizes: string): void {
  const lines = ['', '| step | result | seconds | figures |', '| --- | --- | ---: | --- |'];
  for (const r of [...phases, ...rows]) {
    lines.push(`| ${r.name} | ${r.result} | ${r.seconds.toFixed(1)} | ${r.metrics.join('; ')} |`);
  }
  const total = [...phases, ...rows].reduce((sum, r) => sum + r.seconds, 0);
  lines.push(`| total | | ${total.toFixed(1)} | |`, '');
  lines.push(sizes, '');
  console.log(lines.join('\n'));
}

function log(line: string): void {
  console.error(`e2e: ${line}`);
}

/** Ctrl-C or SIGTERM: take down whatever is up, then leave. */
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: tearing down ${live.size} compose project(s)`);
    Promise.allSettled([...live].map((s) => s.down())).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`e2e: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
