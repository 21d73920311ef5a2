/**
 * The compose scenarios. Each gets fresh compose projects (own volume and network) from the
 * context, which tears them down afterwards whatever happens. They run docker-compose.yml, the
 * default stack with the t2v-transformers vectorizer and vectors (the real all-MiniLM-L6-v2 in
 * a locally built image, see images.ts); `no-transformers` runs docker-compose.no-transformers.yml.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import weaviate, { type FilterValue } from 'weaviate-client';
import { generationName, parseGenerationName } from '../../src/generations/names.ts';
import { PENDING_HASH } from '../../src/ingest/write.ts';
import type { WeaviateClient } from '../../src/weaviate/client.ts';
import { failureKind } from '../../src/weaviate/failure.ts';
import { auditedInSearchLogs, forcedAdminRun, publishedGeneration } from './admin.ts';
import {
  becomesHealthy,
  checkData,
  checkSearch,
  completedAt,
  initExitedOk,
  runRecords,
  searchNeverStarted,
  searchStartedAfter,
  seconds,
  upOk,
} from './checks.ts';
import { podman } from './podman.ts';
import { checkLeastPrivilege, checkRotated } from './security.ts';
import type { Stack } from './stack.ts';
import type { Truth } from './truth.ts';
import { checkBm25Only, checkSearchByMeaning, checkVectors, MEANING_PROBE } from './vectors.ts';

export interface ScenarioContext {
  sampleDir: string;
  /** The official v1.1.1 zips; null when ../shared/esco is absent or the run is --quick. */
  fullDir: string | null;
  /**
   * A compose project of docker-compose.yml; of docker-compose.no-transformers.yml with vectors:
   * false; with admin: true, docker-compose.admin.yml is added (the operator API).
   */
  stack(label: string, dataDir: string, options?: { vectors?: boolean; admin?: boolean }): Promise<Stack>;
  truth(dataDir: string): Promise<Truth>;
  /** A measured figure for the report, e.g. metric('esco-init', '12.3 s'). */
  metric(name: string, value: string): void;
  log(line: string): void;
  /** Registers a clean-up step run after the scenario. */
  defer(cleanup: () => void): void;
}

/** Thrown by a scenario that cannot run here; reported as skipped, loudly. */
export class Skip extends Error {
  override readonly name = 'Skip';
}

export interface Scenario {
  name: string;
  summary: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'cold-warm',
    summary:
      'cold start on the sample: least privilege (keys, roles, /metrics), vectors, search by meaning; then `up` again: esco-init skips, search answers the same; then new keys and `up --force-recreate`: old keys refused, search the same',
    async run(ctx) {
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('sample', ctx.sampleDir);
      await coldStart(ctx, stack, truth);
      await checkLeastPrivilege(stack);
      await checkVectors(stack, truth);
      const before = await checkSearch(stack, truth);
      const rank = await checkSearchByMeaning(stack, truth);
      ctx.metric(`"${MEANING_PROBE.query}" → "${MEANING_PROBE.skillLabel}"`, `rank ${rank} (mode=vector)`);
      await becomesHealthy(stack, 'esco-search');
      const started = performance.now();
      await upOk(stack);
      ctx.metric('warm up (compose)', secs(performance.now() - started));
      const [init] = await initExitedOk(stack);
      ctx.metric('warm esco-init', `${seconds(init ?? assert.fail('no esco-init')).toFixed(1)} s`);
      const [latest] = await runRecords(stack);
      assert.equal(latest?.state, 'skipped', `the warm run's record: ${latest?.state} (${latest?.decision})`);
      assert.deepEqual(await checkSearch(stack, truth), before, 'search answers differently after the warm start');
      // Rotation as docs/compose.md#security describes it: new keys, every container recreated.
      const oldKeys = stack.keys;
      await stack.rotateKeys();
      const rotating = performance.now();
      await upOk(stack, ['--force-recreate']);
      ctx.metric('key rotation (up --force-recreate)', secs(performance.now() - rotating));
      await initExitedOk(stack);
      // checkSearch first: it waits for the recreated esco-search to answer.
      assert.deepEqual(await checkSearch(stack, truth), before, 'search answers differently after the key rotation');
      await checkRotated(stack, oldKeys);
    },
  },
  {
    name: 'cold-full',
    summary: 'cold start on the official ESCO v1.1.1 zips: exact counts, search answers',
    async run(ctx) {
      if (!ctx.fullDir) throw new Skip('no full dataset (--quick, or ../shared/esco/v1.1.1 is absent)');
      const truth = await ctx.truth(ctx.fullDir);
      const stack = await ctx.stack('full', ctx.fullDir);
      await coldStart(ctx, stack, truth);
      await checkVectors(stack, truth);
      await checkSearch(stack, truth);
    },
  },
  {
    name: 'recovery',
    summary:
      'esco-init killed (SIGKILL) mid-vectorization on the sample, `up` again: resumes, completes, counts and vectors exact',
    async run(ctx) {
      // The sample: on the official dataset a vectorized resume costs a whole cold-full again.
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('recovery', ctx.sampleDir);
      const firstUp = stack.upInBackground();
      await killMidIngest(stack);
      const first = await firstUp;
      assert.notEqual(first.exitCode, 0, 'docker-compose up succeeded although esco-init was killed');
      const whole = await wholeObjects(await stack.weaviate());
      const total = truth.iscoGroups + truth.skillGroups + truth.skills.size + truth.occupations.size;
      ctx.metric('killed after', `${whole} of ${total} objects written whole (vectorized)`);
      assert.ok(whole > 0 && whole < total, `killed with ${whole} of ${total} objects written whole: not mid-way`);
      await searchNeverStarted(stack);
      const started = performance.now();
      await upOk(stack);
      ctx.metric('recovery up', secs(performance.now() - started));
      const inits = await initExitedOk(stack);
      await searchStartedAfter(stack, inits);
      await checkData(stack, truth);
      await checkVectors(stack, truth);
      await checkSearch(stack, truth);
    },
  },
  {
    name: 'concurrent',
    summary: '`up --scale esco-init=3` on a cold volume: one ingests, all exit 0, search after completion',
    async run(ctx) {
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('concurrent', ctx.sampleDir);
      const started = performance.now();
      await upOk(stack, ['--scale', 'esco-init=3']);
      ctx.metric('up --scale 3', secs(performance.now() - started));
      const inits = await initExitedOk(stack, 3);
      await searchStartedAfter(stack, inits);
      const [search] = await stack.containers('esco-search');
      const done = await completedAt(stack);
      assert.ok(search?.startedAt && done <= search.startedAt, 'esco-search started before the data was complete');
      const states = (await runRecords(stack)).map((r) => r.state).sort();
      ctx.metric('run records', states.join(', '));
      assert.equal(states.filter((s) => s === 'ingested').length, 1, `exactly one run must ingest: ${states}`);
      assert.ok(
        states.length === 3 && states.every((s) => ['ingested', 'waited', 'skipped'].includes(s)),
        `run states: ${states}`,
      );
      await checkData(stack, truth);
      await checkVectors(stack, truth);
      await checkSearch(stack, truth);
    },
  },
  {
    name: 'bad-data',
    summary: 'a truncated CSV mounted: esco-init exits non-zero, esco-search is never started',
    async run(ctx) {
      const dataDir = badDataset(ctx.sampleDir);
      ctx.defer(() => rmSync(dataDir, { recursive: true, force: true }));
      const stack = await ctx.stack('bad-data', dataDir);
      const result = await stack.up();
      assert.notEqual(result.exitCode, 0, 'docker-compose up succeeded on bad data');
      const [init] = await stack.containers('esco-init');
      assert.equal(init?.status, 'exited', `esco-init is ${init?.status}`);
      ctx.metric('esco-init exit code', String(init?.exitCode));
      assert.equal(init?.exitCode, 2, 'bad data is exit code 2 (README: exit codes)');
      const logs = await stack.logs('esco-init');
      assert.match(logs, /skills_en\.csv/, 'the error names the broken file');
      await searchNeverStarted(stack);
    },
  },
  {
    name: 'admin',
    summary:
      'docker-compose.admin.yml on the sample: POST /admin/ingest (force) as the admin → 202, the run ingests and publishes a new generation, audit lines',
    async run(ctx) {
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('admin', ctx.sampleDir, { admin: true });
      await coldStart(ctx, stack, truth);
      // It also waits for esco-search to answer: `up` returns when its container started.
      await checkSearch(stack, truth);
      const before = await publishedGeneration(stack);
      const started = performance.now();
      const run = await forcedAdminRun(stack);
      ctx.metric('forced admin run', `${run.state} in ${secs(performance.now() - started)}`);
      assert.equal(
        run.state,
        'ingested',
        `the admin run: ${run.state} (${run.decision}; ${JSON.stringify(run.error)})`,
      );
      const { by, idempotencyKey } = run.trigger ?? {};
      assert.deepEqual(
        { by, idempotencyKey },
        { by: 'ops', idempotencyKey: null },
        'the run record names who started it',
      );
      const after = await publishedGeneration(stack);
      assert.ok(after !== null && before !== null && after > before, `generation ${before} → ${after}`);
      ctx.metric('published generation', `${before} → ${after}`);
      await auditedInSearchLogs(stack, run.runId);
      await checkData(stack, truth);
      await checkSearch(stack, truth);
    },
  },
  {
    name: 'no-transformers',
    summary: 'docker-compose.no-transformers.yml, cold start on the sample: no vectors, BM25 search',
    async run(ctx) {
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('bm25', ctx.sampleDir, { vectors: false });
      await coldStart(ctx, stack, truth);
      await checkSearch(stack, truth);
      await checkBm25Only(stack, truth);
    },
  },
];

async function coldStart(ctx: ScenarioContext, stack: Stack, truth: Truth): Promise<void> {
  const started = performance.now();
  await upOk(stack);
  ctx.metric('cold up (compose)', secs(performance.now() - started));
  const [init] = await initExitedOk(stack);
  ctx.metric('cold esco-init', `${seconds(init ?? assert.fail('no esco-init')).toFixed(1)} s`);
  await searchStartedAfter(stack, init ? [init] : []);
  const [latest] = await runRecords(stack);
  assert.equal(latest?.state, 'ingested', `the cold run's record: ${latest?.state} (${latest?.decision})`);
  await checkData(stack, truth);
}

/** The collections whose objects the references pass writes whole, vectorizing their texts. */
const VECTORIZED = ['ISCOGroup', 'SkillGroup', 'Skill', 'Occupation'];

/**
 * Waits until esco-init has written some objects whole (texts vectorized by t2v-transformers;
 * the objects pass's placeholders carry no text), then SIGKILLs it: the next run must resume a
 * half-vectorized load. On the sample that moment lasts a second or two, so Weaviate is polled
 * closely and the container (a slower question to podman) only when it is time to kill, or now
 * and then to notice an esco-init that ended early.
 */
async function killMidIngest(stack: Stack): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  let client: WeaviateClient | undefined;
  let lookedAt = 0;
  while (Date.now() < deadline) {
    client ??= await stack.weaviate().catch(() => undefined);
    const whole = client ? await wholeObjects(client) : 0;
    if (whole > 0 || Date.now() - lookedAt > 2000) {
      lookedAt = Date.now();
      const [init] = await stack.containers('esco-init');
      const killed = whole > 0 && init?.status === 'running';
      if (killed && (await podman(['kill', '--signal', 'KILL', init.id], { check: false })).exitCode === 0) return;
      if (whole > 0 || (init?.finishedAt && init.status !== 'running')) {
        throw new Error(`esco-init ended (exit ${init?.exitCode}) before it could be killed mid-ingest`);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('esco-init wrote no object whole within 10 minutes');
}

/**
 * Objects written whole in the newest generation (being built: nothing publishes it yet, so it is
 * read by its own names, `Skill_g1`, …).
 */
async function wholeObjects(client: WeaviateClient): Promise<number> {
  const filters = weaviate.filter.byProperty('contentHash').notEqual(PENDING_HASH);
  const listed = new Set((await client.collections.listAll()).map((c) => c.name));
  const generations = [...listed]
    .map(parseGenerationName)
    .filter((g) => g !== null && (VECTORIZED as readonly string[]).includes(g.collection));
  const newest = Math.max(0, ...generations.map((g) => g?.generation ?? 0));
  let total = 0;
  for (const name of VECTORIZED.map((n) => generationName(n, newest))) {
    // Not created yet: nothing written there. Only listed ones are asked (under RBAC a query of a
    // missing collection is refused, not empty), and any failure of theirs fails the scenario.
    if (listed.has(name)) total += await wholeIn(client, name, filters);
  }
  return total;
}

/** A collection esco-init created a moment ago may not have its index loaded here yet: none written. */
async function wholeIn(client: WeaviateClient, name: string, filters: FilterValue): Promise<number> {
  try {
    return (await client.collections.use(name).aggregate.overAll({ filters })).totalCount;
  } catch (error) {
    if (failureKind(error) === 'index-loading') return 0;
    throw error;
  }
}

/** The sample with skills_en.csv cut off inside a quoted field, as a broken download would be. */
function badDataset(sampleDir: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'esco-e2e-bad-'));
  chmodSync(dir, 0o755); // the container's user (uid 1000) must be able to read it
  for (const file of readdirSync(sampleDir)) copyFileSync(path.join(sampleDir, file), path.join(dir, file));
  const skills = readFileSync(path.join(sampleDir, 'skills_en.csv'), 'utf8');
  // Just after the opening quote of a field (and a few characters of it): the quote never closes.
  const cut = skills.indexOf(',"', Math.floor(skills.length / 2));
  assert.ok(cut > 0, 'the sample skills_en.csv has no quoted field in its second half');
  writeFileSync(path.join(dir, 'skills_en.csv'), skills.slice(0, cut + 6));
  return dir;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
