/**
 * `npm run eval`: retrieval quality of the search service measured on ESCO itself. A seeded
 * random 10 % of the alternative labels of occupations and of skills is held out (eval-split.ts)
 * and taken out of an ESCO-format copy of the release (eval-copy.ts); the copy is ingested by the
 * real `esco-init ingest` into a fresh weaviate-server with the real all-MiniLM-L6-v2 inference
 * service; then every held-out label is searched for, as `GET /search` does, with bm25, vector and
 * hybrid at several alphas (eval-queries.ts), and recall@k and MRR@k of the concept it was taken
 * from are reported (eval-report.ts). Prints markdown tables, writes bench/results/eval-*.json.
 *
 *   scripts/node.sh node bench/eval.ts [--runtime auto|int8|fp32] [--data <path>]... [--fraction 0.1]
 *     [--seed esco-eval-1] [--alphas 0.25,0.5,0.6,0.75,0.9] [--modes bm25,vector,hybrid] [--k 10]
 *     [--concurrency 4] [--keep] [--weaviate-dir <dir>]
 *
 * --weaviate-dir keeps Weaviate's data in <dir> across runs: a second run with the same split and
 * runtime finds the data complete (ingest writes nothing) and only runs the queries, for
 * measuring changes to the queries without waiting for the vectorization again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import {
  type InferenceMeta,
  type InferenceRuntime,
  type LocalInference,
  startInference,
} from '../scripts/local/inference.ts';
import { type LocalWeaviate, startLocalWeaviate } from '../scripts/local/weaviate-server.ts';
import type { IngestReport } from '../src/ingest/ingest.ts';
import { silentLogger } from '../src/log.ts';
import { SearchQueries } from '../src/search/queries.ts';
import { connect } from '../src/weaviate/client.ts';
import { checkCopy, readConcepts, writeHeldOutCopy } from './eval-copy.ts';
import { type Outcome, renderMarkdown, writeJson } from './eval-output.ts';
import { evalModes, type ModeRun, runMode } from './eval-queries.ts';
import { scoreRuns } from './eval-report.ts';
import { holdOutLabels, type Split } from './eval-split.ts';
import { describeMachine } from './machine.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'src/cli.ts');

const { values: args } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'auto' },
    data: { type: 'string', multiple: true },
    fraction: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: 'esco-eval-1' },
    alphas: { type: 'string', default: '0.25,0.5,0.6,0.75,0.9' },
    k: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    modes: { type: 'string', default: 'bm25,vector,hybrid' },
    keep: { type: 'boolean', default: false },
    'weaviate-dir': { type: 'string' },
  },
});
if (!['auto', 'int8', 'fp32'].includes(args.runtime)) throw new Error(`--runtime ${args.runtime}: auto, int8 or fp32`);
const options = {
  runtime: args.runtime,
  data: (args.data ?? [path.join(ROOT, '../shared/esco/v1.1.1')]).map((p) => path.resolve(p)),
  fraction: Number(args.fraction),
  seed: args.seed,
  alphas: args.alphas.split(',').map(Number),
  modes: args.modes.split(','),
  k: Number(args.k),
  concurrency: Number(args.concurrency),
};
const log = (message: string) => console.error(`eval: ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

await main();

async function main(): Promise<void> {
  const started = performance.now();
  const at = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(ROOT, `bench/results/eval-${options.runtime}-${at}.json`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'esco-init-eval-'));
  try {
    const { split, copyMs } = await prepare(path.join(scratch, 'data'));
    const o: Outcome = { split, runs: [], timing: { copyMs }, load: [os.loadavg()] };
    const services = await startServices();
    try {
      o.weaviate = services.weaviate.version;
      o.runtime = services.runtime;
      const ingest = await runIngest(services.weaviate, path.join(scratch, 'data'));
      Object.assign(o, { ingest: ingest.summary, timing: { ...o.timing, ...ingest.timing } });
      o.load.push(os.loadavg());
      await runQueries(services, o, () => writeJson(file, options, o, false));
      o.inference = await services.inference.stats();
      o.timing.totalMs = performance.now() - started;
      writeJson(file, options, o, true);
      console.log(renderMarkdown(options, o, path.relative(ROOT, file)));
    } finally {
      await services.stop();
    }
  } finally {
    if (args.keep) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

/** The split and the copy without the held-out labels, read back to prove it. */
async function prepare(dir: string): Promise<{ split: Split; copyMs: number }> {
  const t = performance.now();
  const concepts = await readConcepts(options.data);
  const split = holdOutLabels(concepts, { fraction: options.fraction, seed: options.seed });
  const taken = await writeHeldOutCopy(options.data, dir, split);
  await checkCopy(dir, concepts, split);
  const copyMs = performance.now() - t;
  log(`held out ${split.heldOut.length} labels (${taken} altLabels items) in ${seconds(copyMs)}: ${dir}`);
  return { split, copyMs };
}

async function startServices() {
  const inference: LocalInference = await startInference({ runtime: options.runtime as InferenceRuntime });
  let weaviate: LocalWeaviate;
  let runtime: InferenceMeta;
  try {
    runtime = await inference.meta();
    const dataDir = args['weaviate-dir'] && reusableDir(path.resolve(args['weaviate-dir']), runtime.runtime);
    weaviate = await startLocalWeaviate({ inferenceUrl: inference.url, ...(dataDir && { dataDir }) });
  } catch (error) {
    await inference.stop();
    throw error;
  }
  log(`weaviate-server ${weaviate.version} at ${weaviate.url}, inference at ${inference.url}`);
  log(`inference runtime ${runtime.runtime} (${runtime.runtime_choice.requested}: ${runtime.runtime_choice.reason})`);
  log(`CPU ${describeMachine()}`);
  const stop = async () => {
    await weaviate.stop();
    await inference.stop();
  };
  return { inference, weaviate, runtime, stop };
}

/**
 * A Weaviate data dir for this split and the runtime the service runs (auto: chosen at start on
 * this CPU). The stored vectors are the runtime's, and
 * ingest rewrites an object only when its content changes: data vectorized by the other runtime
 * would be kept as it is, so a dir is refused for another runtime, dataset, fraction or seed.
 */
function reusableDir(dir: string, runtime: string): string {
  const marker = path.join(dir, 'esco-eval.json');
  const { data, fraction, seed } = options;
  const wanted = JSON.stringify({ runtime, data, fraction, seed });
  mkdirSync(dir, { recursive: true });
  if (!existsSync(marker)) writeFileSync(marker, wanted);
  const found = readFileSync(marker, 'utf8');
  if (found !== wanted) throw new Error(`--weaviate-dir ${dir} holds data of ${found}, not ${wanted}`);
  return dir;
}

/** The real `esco-init ingest`, vectorizing with text2vec-transformers, in a process of its own. */
async function runIngest(server: LocalWeaviate, dir: string) {
  const t = performance.now();
  const argv = [CLI, 'ingest', '--json', '--vectorizer', 'text2vec-transformers', '--data', dir];
  const run = await execa(process.execPath, argv, {
    env: { WEAVIATE_URL: server.url, WEAVIATE_GRPC_PORT: String(server.grpcPort), LOG_LEVEL: 'warn' },
    stderr: 'inherit',
    cwd: ROOT,
  });
  const ingestMs = performance.now() - t;
  const r = JSON.parse(run.stdout) as IngestReport;
  const objects = Object.fromEntries(Object.entries(r.collections).map(([name, c]) => [name, c.total]));
  log(`ingested ${JSON.stringify(objects)} in ${seconds(ingestMs)}`);
  return { timing: { ingestMs }, summary: { objects, fingerprint: r.fingerprint, verify: r.verify } };
}

type Services = Awaited<ReturnType<typeof startServices>>;

/** Every ranking over every held-out label; `saved` after each, so a late failure keeps the rest. */
async function runQueries(services: Services, o: Outcome, saved: () => void): Promise<void> {
  const { url, grpcPort } = services.weaviate;
  const client = await connect({ url, grpcPort, startupTimeoutSeconds: 30 }, silentLogger());
  try {
    const queries = new SearchQueries(client);
    for (const mode of evalModes(options.alphas).filter((m) => options.modes.includes(m.mode))) {
      const run = await runMode(queries, o.split.heldOut, mode, options);
      o.runs.push({ mode, run });
      o.load.push(os.loadavg());
      saved();
      const n = o.split.heldOut.length;
      log(`${mode.name}: ${n} queries in ${seconds(run.ms)}, ${run.retried} retried, ${run.errors.length} failed`);
      for (const s of scoreRuns(o.split.heldOut, [{ mode, run }], options.k))
        log(`  ${s.type}: recall@${options.k} ${s.unambiguous.recall.toFixed(3)}, MRR ${s.unambiguous.mrr.toFixed(3)}`);
      if (run.errors.length > 0) throw await failure(services, run);
    }
  } finally {
    await client.close();
  }
}

/** Searches that failed twice: the run's numbers would be wrong. Says why, with the services' logs. */
async function failure(services: Services, run: ModeRun): Promise<Error> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return 'running';
    } catch {
      return 'GONE';
    }
  };
  const examples = run.errors.slice(0, 3).map((e) => `"${e.label}": ${e.message}`);
  return new Error(
    [
      `${run.errors.length} searches failed twice; e.g. ${examples.join('; ')}`,
      `inference service (pid ${services.inference.pid}, ${alive(services.inference.pid)}), log tail:`,
      services.inference.logTail(20),
      `weaviate-server (pid ${services.weaviate.pid}, ${alive(services.weaviate.pid)}), log tail:`,
      services.weaviate.logTail(10),
    ].join('\n'),
  );
}
