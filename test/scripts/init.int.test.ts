/**
 * `esco-init init` as real OS processes against a real Weaviate, on the sample dataset: cold and
 * warm starts, N simultaneous starts (10 rounds), bad data, SIGTERM, an unreachable Weaviate, and
 * the status / validate / dry-run commands around them. One server for the whole file.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDataset } from '../../src/esco/open.ts';
import { buildPlan } from '../../src/ingest/plan.ts';
import { WeaviateLeaseStore } from '../../src/weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { outcomeLine, resetWeaviate, runCli, SAMPLE, startCli } from './processes.ts';

const weaviate = useWeaviate();
const env = () => ({ ...weaviate().env, ESCO_DATA: SAMPLE });
let expected: Record<string, number> = {};

/** The documented `status --json` contract, written independently of the code that prints it. */
const StatusJson = z.object({
  datasetKey: z.literal('esco'),
  weaviate: z.string().url(),
  state: z.enum(['not_started', 'in_progress', 'completed', 'failed']),
  status: z
    .object({
      state: z.string(),
      fingerprint: z.string().length(64).nullable(),
      schemaVersion: z.string().nullable(),
      toolVersion: z.string(),
      counts: z.record(z.string(), z.number().int().nonnegative()).nullable(),
      runId: z.string().nullable(),
      epoch: z.number().int().nullable(),
      completedAt: z.string().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  lease: z.object({
    epoch: z.number().int().nonnegative(),
    condition: z.enum(['none', 'held', 'released']),
    holder: z.object({ runId: z.string(), host: z.string(), pid: z.number().int() }).nullable(),
    releasedReason: z.string().nullable(),
    heartbeat: z.object({ counter: z.number().int(), beatAt: z.string(), ageSeconds: z.number() }).nullable(),
    progress: z.object({ pass: z.string(), done: z.number(), total: z.number().nullable() }).passthrough().nullable(),
  }),
  runs: z.array(
    z
      .object({
        runId: z.string(),
        state: z.enum(['running', 'ingested', 'skipped', 'waited', 'failed', 'interrupted', 'gave_up']),
        host: z.string(),
        pid: z.number().int(),
        startedAt: z.string(),
        endedAt: z.string().nullable(),
        decision: z.string(),
        epochs: z.array(z.number().int()),
        passes: z.array(z.object({ name: z.string(), status: z.string(), ms: z.number().nullable() }).passthrough()),
        resumed: z.array(z.string()),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
      })
      .passthrough(),
  ),
});

beforeAll(async () => {
  const dataset = await openDataset([SAMPLE], { language: 'en', policy: 'strict', maxRejected: 0 });
  const plan = await buildPlan(dataset, { definitions: loadSchemas({ vectorizer: 'none' }) });
  expected = plan.expected.objects;
});

async function storedCounts(): Promise<Record<string, number>> {
  const client = await weaviate().client();
  const out: Record<string, number> = {};
  for (const name of Object.keys(expected)) out[name] = await client.collections.use(name).length();
  return out;
}

describe('init (real processes, sample dataset)', () => {
  it('ingests on a cold start, skips a warm start, and reports through status, validate and --dry-run', async () => {
    await resetWeaviate(await weaviate().client());
    const cold = await runCli(['init'], env());
    expect(cold.exitCode, cold.stderr).toBe(0);
    expect(outcomeLine(cold.logs)?.outcome).toBe('ingested');
    expect(await storedCounts()).toEqual(expected);

    const warm = await runCli([], env()); // init is the default command
    expect(warm.exitCode, warm.stderr).toBe(0);
    const done = outcomeLine(warm.logs);
    expect(done?.outcome).toBe('skipped');
    console.info(`warm start: decision ${done?.decisionMs} ms after Weaviate was ready, ${done?.totalMs} ms in all`);

    const status = await runCli(['status', '--json'], env());
    expect(status.exitCode, status.stderr).toBe(0);
    const report = StatusJson.parse(JSON.parse(status.stdout));
    expect(report.state).toBe('completed');
    expect(report.lease).toMatchObject({ epoch: 1, condition: 'released', releasedReason: 'completed' });
    expect(report.runs.map((r) => r.state)).toEqual(['skipped', 'ingested']);
    expect(report.runs[1]?.passes.map((p) => `${p.name}:${p.status}`)).toEqual([
      'read:done',
      'schema:done',
      'objects:done',
      'references:done',
      'verify:done',
      'publish:done',
    ]);
    for (const [name, n] of Object.entries(expected)) expect(report.status?.counts?.[name]).toBe(n);

    const text = await runCli(['status'], env());
    expect(text.stdout).toMatch(/: completed\n/);

    const valid = await runCli(['validate'], env());
    expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^valid: Weaviate holds exactly the dataset$/m);

    const dry = await runCli(['init', '--dry-run'], env());
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/plan {9}skip: already complete/);
    const forced = await runCli(['init', '--dry-run', '--force-reingest'], env());
    expect(forced.stdout).toMatch(/plan {9}ingest: forced \(--force-reingest\)/);
  });

  it('validate fails on a tampered count', async () => {
    const store = new WeaviateStatusStore(await weaviate().client());
    const status = await store.readStatus('esco');
    expect(status?.state).toBe('completed');
    if (!status?.counts) throw new Error('no counts to tamper with');
    await store.writeStatus({ ...status, counts: { ...status.counts, Skill: (status.counts.Skill ?? 0) + 1 } });
    const result = await runCli(['validate', '--json'], env());
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['count Skill']);
    await store.writeStatus(status);
  });

  it('ingests exactly once when 4 processes start at once, 10 rounds in a row', async () => {
    const client = await weaviate().client();
    const store = new WeaviateStatusStore(client);
    for (let round = 1; round <= 10; round++) {
      await resetWeaviate(client);
      const processes = Array.from({ length: 4 }, () => startCli(['init'], env()));
      const ended = await Promise.all(processes.map((p) => p.ended));
      ended.forEach((e, i) => {
        expect(e.exitCode, `round ${round}, process ${i}: ${e.stderr}`).toBe(0);
      });
      const runs = await store.listRuns('esco', 10);
      expect(runs, `round ${round}`).toHaveLength(4);
      expect(runs.map((r) => r.state).sort(), `round ${round}`).toEqual(['ingested', 'waited', 'waited', 'waited']);
      const status = await store.readStatus('esco');
      expect(status?.state).toBe('completed');
      const completedAt = Date.parse(status?.completedAt ?? '');
      for (const e of ended) expect(e.endedAt).toBeGreaterThanOrEqual(completedAt);
      expect(status?.runId).toBe(runs.find((r) => r.state === 'ingested')?.runId);
      expect(await storedCounts(), `round ${round}`).toEqual(expected);
    }
  }, 900_000);

  it('fails a malformed dataset with exit 2: status failed with the error, no completed marker, lease released', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const dir = mkdtempSync(path.join(tmpdir(), 'esco-init-bad-'));
    try {
      cpSync(SAMPLE, dir, { recursive: true });
      const skills = path.join(dir, 'skills_en.csv');
      const broken = 'KnowledgeSkillCompetence,"http://data.europa.eu/esco/skill/broken,knowledge\r\n';
      writeFileSync(skills, readFileSync(skills, 'utf8') + broken);
      const result = await runCli(['init'], { ...env(), ESCO_DATA: dir });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/DATA_INVALID: .*skills_en\.csv/);
      const status = await new WeaviateStatusStore(client).readStatus('esco');
      expect(status).toMatchObject({ state: 'failed', error: { code: 'DATA_INVALID' }, completedAt: null });
      expect(status?.error?.message).toMatch(/skills_en\.csv/);
      // The generation begun for these bytes (placeholders streamed before the bad row) is gone:
      // the same bytes can never complete it. Nothing was published.
      expect(result.logs.some((l) => l.msg === 'dropped generation 1 (its dataset is invalid)')).toBe(true);
      expect(status).toMatchObject({ resume: null, generation: null, generations: [] });
      expect((await client.collections.listAll()).map((c) => c.name)).toEqual(['Metadata']);
      expect((await client.alias.listAll())?.map((a) => a.alias)).toEqual(['EscoInitLease_1']);
      const lease = await new WeaviateLeaseStore(client).readHeartbeat(1);
      expect(lease).toMatchObject({ state: 'released', releasedReason: 'failed' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on SIGTERM at a batch boundary with exit 143, and the next start does not wait for the TTL', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const holder = startCli(['init'], env());
    await holder.waitForLog((l) => l.msg === 'objects pass');
    holder.kill('SIGTERM');
    const ended = await holder.ended;
    expect(ended.exitCode, ended.stderr).toBe(143);
    const store = new WeaviateStatusStore(client);
    const [run] = await store.listRuns('esco', 1);
    expect(run).toMatchObject({ state: 'interrupted', error: { code: 'INTERRUPTED_SIGTERM' } });
    expect((await store.readStatus('esco'))?.state).toBe('failed');
    expect(await new WeaviateLeaseStore(client).readHeartbeat(1)).toMatchObject({ releasedReason: 'interrupted' });

    const restart = await runCli(['init'], env());
    expect(restart.exitCode, restart.stderr).toBe(0);
    const acquired = restart.logs.find((l) => l.msg === 'acquired the ingestion lease');
    expect(acquired).toMatchObject({ epoch: 2, previous: 'released' });
    const [again] = await store.listRuns('esco', 1);
    expect(again?.events[0]?.event).toMatch(/epoch 1 released by run .* \(interrupted\)/);
    expect(await storedCounts()).toEqual(expected);
  });

  it('unlock has nothing to do before the lease was ever taken', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const nothing = await runCli(['unlock'], env());
    expect(nothing.exitCode).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to unlock: the lease was never taken/);
  });

  it('exits 3 when Weaviate is not running, after the startup timeout, naming the URL', async () => {
    const url = 'http://127.0.0.1:9'; // discard port: nothing listens
    const result = await runCli(['init', '--startup-timeout', '2'], { ...env(), WEAVIATE_URL: url });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`WEAVIATE_UNREACHABLE: Weaviate at ${url} was not ready within 2s`);
  });
});
