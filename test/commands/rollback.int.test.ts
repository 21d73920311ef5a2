/**
 * `esco-init rollback` as real processes against a real Weaviate (vectorizer none), on the sample
 * dataset A and a changed copy B: init A → init B → rollback (the aliases point at A's generation
 * again, the status says A and names the rollback) → init B skips (rolled back) → rollback rolls
 * forward to B; and a live holder's lease is refused. Aliases are read through GET /v1/aliases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writeChangedCopy } from '../../bench/changed-copy.ts';
import { StatusReportSchema } from '../../src/commands/status-report.ts';
import { INGESTED_COLLECTIONS } from '../../src/ingest/mapping.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { outcomeLine, resetWeaviate, runCli, SAMPLE, startCli } from '../scripts/processes.ts';
import { useWeaviate } from '../support/weaviate.ts';

const weaviate = useWeaviate({ vectorizer: 'none' });
let changed = '';
const env = (data = SAMPLE) => ({ ...weaviate().env, ESCO_DATA: data });

beforeAll(async () => {
  changed = mkdtempSync(path.join(tmpdir(), 'esco-init-rollback-'));
  const copy = await writeChangedCopy([SAMPLE], changed, {
    kinds: ['skills'],
    revise: (i) => i % 4 === 0,
    remove: () => false,
  });
  expect(copy.revised).toBeGreaterThan(0);
});

afterAll(() => {
  if (changed) rmSync(changed, { recursive: true, force: true });
});

const AliasList = z.object({ aliases: z.array(z.object({ alias: z.string(), class: z.string() })).nullable() });

/** Published name → the collection it points at, from Weaviate's REST API. */
async function aliases(): Promise<Record<string, string>> {
  const response = await fetch(`${weaviate().url}/v1/aliases`);
  expect(response.status).toBe(200);
  const list = AliasList.parse(await response.json()).aliases ?? [];
  const names = new Set<string>(INGESTED_COLLECTIONS);
  return Object.fromEntries(list.filter((a) => names.has(a.alias)).map((a) => [a.alias, a.class]));
}

function allAt(generation: number): Record<string, string> {
  return Object.fromEntries(INGESTED_COLLECTIONS.map((name) => [name, `${name}_g${generation}`]));
}

async function init(data: string): Promise<string> {
  const result = await runCli(['init'], env(data));
  expect(result.exitCode, result.stderr).toBe(0);
  return String(outcomeLine(result.logs)?.outcome);
}

describe('rollback (real processes, sample dataset and a changed copy)', () => {
  it('returns to the previous generation, is not undone by the next init, and rolls forward when run again', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const store = new WeaviateStatusStore(client);
    expect(await init(SAMPLE)).toBe('ingested');
    const a = await store.readStatus('esco');
    expect(await init(changed)).toBe('ingested');
    const b = await store.readStatus('esco');
    if (!a?.generation || !b?.generation) throw new Error('init did not publish a generation');
    expect(b.fingerprint).not.toBe(a.fingerprint);
    expect(await aliases()).toEqual(allAt(b.generation));

    const back = await runCli(['rollback'], env());
    expect(back.exitCode, back.stderr).toBe(0);
    console.info(`rollback:\n${back.stdout}`);
    expect(back.stdout).toMatch(new RegExp(`^rolled back to generation ${a.generation} \\(run `));
    expect(back.stdout).toContain(`  from  generation ${b.generation}: dataset ${b.fingerprint?.slice(0, 12)}`);
    expect(await aliases()).toEqual(allAt(a.generation));
    const rolled = await store.readStatus('esco');
    expect(rolled).toMatchObject({
      state: 'completed',
      generation: a.generation,
      fingerprint: a.fingerprint,
      schemaVersion: a.schemaVersion,
      counts: a.counts,
      rollback: { from: b.generation, fingerprint: b.fingerprint, schemaVersion: b.schemaVersion },
    });
    expect(rolled?.generations.map((g) => g.id)).toEqual([a.generation, b.generation]);
    const [run] = await store.listRuns('esco', 1);
    expect(run).toMatchObject({
      state: 'rolled_back',
      decision: `rollback: generation ${b.generation} → ${a.generation}`,
    });

    const again = await runCli(['init'], env(changed));
    expect(again.exitCode, again.stderr).toBe(0);
    expect(outcomeLine(again.logs)?.outcome).toBe('skipped');
    expect(again.logs.find((l) => typeof l.decision === 'string')?.reason).toMatch(/was rolled back by run/);
    expect(await aliases()).toEqual(allAt(a.generation));

    const status = await runCli(['status', '--json'], env());
    expect(status.exitCode, status.stderr).toBe(0);
    const report = StatusReportSchema.parse(JSON.parse(status.stdout));
    expect(report.generations.map((g) => [g.id, g.published, g.building])).toEqual([
      [a.generation, true, false],
      [b.generation, false, false],
    ]);
    expect(report.aliases).toEqual({ state: 'generation', generation: a.generation });
    const text = await runCli(['status'], env());
    console.info(`status:\n${text.stdout}`);
    expect(text.stdout).toContain(
      `  generations  g${a.generation}    published  dataset ${a.fingerprint?.slice(0, 12)}`,
    );
    expect(text.stdout).toMatch(new RegExp(`\\n {2}rollback {5}from generation ${b.generation} \\(dataset `));

    const forward = await runCli(['rollback', '--json'], env());
    expect(forward.exitCode, forward.stderr).toBe(0);
    expect(JSON.parse(forward.stdout)).toMatchObject({
      from: { id: a.generation },
      to: { id: b.generation },
      finished: false,
    });
    expect(await aliases()).toEqual(allAt(b.generation));
    expect(await store.readStatus('esco')).toMatchObject({
      generation: b.generation,
      fingerprint: b.fingerprint,
      counts: b.counts,
      rollback: { from: a.generation, fingerprint: a.fingerprint },
    });
    const valid = await runCli(['validate'], env(changed));
    expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0);
  });

  it('refuses (exit 4) while a live holder has the lease, naming it; changes nothing', async () => {
    const store = new WeaviateStatusStore(await weaviate().client());
    const before = await store.readStatus('esco');
    const holder = startCli(['init', '--force-reingest'], env());
    const acquired = await holder.waitForLog((l) => l.msg === 'acquired the ingestion lease');
    holder.kill('SIGSTOP'); // held and not finishing: the lease's TTL (300 s) keeps it live meanwhile
    try {
      const refused = await runCli(['rollback'], env());
      expect(refused.exitCode).toBe(4);
      console.info(`refused:\n${refused.stderr}`);
      expect(refused.stderr).toMatch(
        new RegExp(
          `LOCK_HELD: run \\S+ on \\S+ \\(pid ${holder.pid}\\) holds epoch ${acquired.epoch} of the ingestion lease`,
        ),
      );
      expect((await store.readStatus('esco'))?.generation).toBe(before?.generation);
    } finally {
      holder.kill('SIGCONT');
    }
    const ended = await holder.ended;
    expect(ended.exitCode, ended.stderr).toBe(0);
  });
});
