/**
 * The compose scenarios. Each gets fresh compose projects (own volume and network) from the
 * context, which tears them down afterwards whatever happens. They run the no-transformers
 * compose file: the t2v-transformers image cannot be had here (no registry), see compose.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import type { Stack } from './stack.ts';
import type { Truth } from './truth.ts';

export interface ScenarioContext {
  sampleDir: string;
  /** The official v1.1.1 zips; null when ../shared/esco is absent or the run is --quick. */
  fullDir: string | null;
  stack(label: string, dataDir: string): Promise<Stack>;
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
    summary: 'cold start on the sample, then `up` again: esco-init skips, search answers the same',
    async run(ctx) {
      const truth = await ctx.truth(ctx.sampleDir);
      const stack = await ctx.stack('sample', ctx.sampleDir);
      await coldStart(ctx, stack, truth);
      const before = await checkSearch(stack, truth);
      await becomesHealthy(stack, 'esco-search');
      const started = performance.now();
      await upOk(stack);
      ctx.metric('warm up (compose)', secs(performance.now() - started));
      const [init] = await initExitedOk(stack);
      ctx.metric('warm esco-init', `${seconds(init ?? assert.fail('no esco-init')).toFixed(1)} s`);
      const [latest] = await runRecords(stack);
      assert.equal(latest?.state, 'skipped', `the warm run's record: ${latest?.state} (${latest?.decision})`);
      assert.deepEqual(await checkSearch(stack, truth), before, 'search answers differently after the warm start');
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
      await checkSearch(stack, truth);
    },
  },
  {
    name: 'recovery',
    summary:
      'esco-init killed (SIGKILL) mid-ingest (full dataset; sample with --quick), `up` again: completes, counts exact',
    async run(ctx) {
      const dataDir = ctx.fullDir ?? ctx.sampleDir;
      const truth = await ctx.truth(dataDir);
      const stack = await ctx.stack('recovery', dataDir);
      const firstUp = stack.upInBackground();
      const killedAt = await killMidIngest(stack);
      ctx.metric('killed after', `${killedAt.skills} of ${truth.skills.size} skills written`);
      const first = await firstUp;
      assert.notEqual(first.exitCode, 0, 'docker-compose up succeeded although esco-init was killed');
      await searchNeverStarted(stack);
      const started = performance.now();
      await upOk(stack);
      ctx.metric('recovery up', secs(performance.now() - started));
      const inits = await initExitedOk(stack);
      await searchStartedAfter(stack, inits);
      await checkData(stack, truth);
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

/** Waits until esco-init has written some skills and the status says in progress, then SIGKILLs it. */
async function killMidIngest(stack: Stack): Promise<{ skills: number }> {
  const deadline = Date.now() + 10 * 60_000;
  let client: Awaited<ReturnType<Stack['weaviate']>> | undefined;
  while (Date.now() < deadline) {
    const [init] = await stack.containers('esco-init');
    if (init && init.status !== 'running' && init.finishedAt) {
      throw new Error(`esco-init ended (exit ${init.exitCode}) before it could be killed mid-ingest`);
    }
    client ??= await stack.weaviate().catch(() => undefined);
    const skills = client ? await countOrZero(client, 'Skill') : 0;
    if (init?.status === 'running' && skills > 0) {
      await podman(['kill', '--signal', 'KILL', init.id]);
      return { skills };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('esco-init did not start writing skills within 10 minutes');
}

async function countOrZero(client: Awaited<ReturnType<Stack['weaviate']>>, name: string): Promise<number> {
  try {
    return (await client.collections.use(name).aggregate.overAll()).totalCount;
  } catch {
    return 0; // the collection does not exist yet
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
