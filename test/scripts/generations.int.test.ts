/**
 * Generations under crashes, as real `esco-init init` processes against a real Weaviate with the
 * default vectorizer: kill -9 while a generation is built (the same dataset resumes it, another
 * one drops it), a switch interrupted between the status record and the aliases, a warm restart,
 * and followers of an upgrade. Release A is the sample, B a changed copy (test/support/releases.ts).
 * Moments are chosen by events (log lines, records), never by elapsed time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/esco/open.ts';
import { INGESTED_COLLECTIONS } from '../../src/ingest/mapping.ts';
import { buildPlan } from '../../src/ingest/plan.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { type Load, startLoad } from '../support/load-generator.ts';
import { type ReleaseChanges, writeReleaseB } from '../support/releases.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { outcomeLine, resetWeaviate, runCli, SAMPLE, startCli } from './processes.ts';

const weaviate = useWeaviate();
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-generations-'));
const B = path.join(scratch, 'release-b');
let changes: ReleaseChanges;
let expectedB: Record<string, number> = {};

const env = (data: string, extra: Record<string, string> = {}) => ({ ...weaviate().env, ESCO_DATA: data, ...extra });
/** Small batches, one at a time: the references pass lasts long enough to be killed inside. */
const SLOW = { ESCO_BATCH_SIZE: '2', ESCO_CONCURRENCY: '1' };

beforeAll(async () => {
  changes = writeReleaseB(SAMPLE, B);
  const dataset = await openDataset([B], { language: 'en', policy: 'strict', maxRejected: 0 });
  expectedB = (await buildPlan(dataset, { definitions: loadSchemas({ vectorizer: 'none' }) })).expected.objects;
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function statusStore() {
  return new WeaviateStatusStore(await weaviate().client());
}

/** Published name → the collection it is an alias of, read from Weaviate's REST API. */
async function aliases(): Promise<Record<string, string>> {
  const body = (await (await fetch(`${weaviate().url}/v1/aliases`)).json()) as {
    aliases?: { alias: string; class: string }[];
  };
  const names = new Set<string>(INGESTED_COLLECTIONS);
  return Object.fromEntries((body.aliases ?? []).filter((a) => names.has(a.alias)).map((a) => [a.alias, a.class]));
}

const allAt = (generation: number) =>
  Object.fromEntries(INGESTED_COLLECTIONS.map((name) => [name, `${name}_g${generation}`]));

/** Generations that have collections in Weaviate, ascending. */
async function generationsInWeaviate(): Promise<number[]> {
  const all = await (await weaviate().client()).collections.listAll();
  const ids = all.map((c) => /_g(\d+)$/.exec(c.name)?.[1]).filter((id) => id !== undefined);
  return [...new Set(ids.map(Number))].sort((a, b) => a - b);
}

/** The preferred label the published `Skill` holds for a concept (empty string: not found). */
async function publishedSkillLabel(uri: string): Promise<string> {
  const skill = (await weaviate().client()).collections.use('Skill');
  const found = await skill.query.fetchObjects({
    filters: skill.filter.byProperty('conceptUri').equal(uri),
    returnProperties: ['preferredLabel'],
    limit: 1,
  });
  return String(found.objects[0]?.properties.preferredLabel ?? '');
}

/** Readers of a skill whose label differs between A and B, through the published name. */
function readRelabelledSkill(): { load: Load<string>; before: string; after: string } {
  const skill = changes.relabelled.find((c) => c.type === 'skill');
  if (!skill) throw new Error('release B relabels no skill');
  const load = startLoad({ ratePerSecond: 10, concurrency: 2, request: () => publishedSkillLabel(skill.uri) });
  return { load, before: skill.before, after: skill.after };
}

async function initA(): Promise<number> {
  await resetWeaviate(await weaviate().client());
  const a = await runCli(['init'], env(SAMPLE));
  expect(a.exitCode, a.stderr).toBe(0);
  const generation = (await (await statusStore()).readStatus('esco'))?.generation;
  if (typeof generation !== 'number') throw new Error('init of A published no generation');
  return generation;
}

/**
 * Release A published; an init of B killed with SIGKILL inside its references pass (one
 * collection written whole, others to go), then its lease freed as an operator would. Returns the
 * generations involved, the readers still running.
 */
async function crashWhileBuildingB() {
  const published = await initA();
  const readers = readRelabelledSkill();
  await readers.load.waitFor((s) => s.result === readers.before);
  const victim = startCli(['init'], env(B, SLOW));
  await victim.waitForLog((l) => l.msg === 'references pass');
  victim.kill('SIGKILL');
  expect((await victim.ended).signal).toBe('SIGKILL');

  const status = await (await statusStore()).readStatus('esco');
  const building = status?.resume?.generation;
  if (typeof building !== 'number') throw new Error('the killed run left no unfinished generation');
  expect(status).toMatchObject({ state: 'in_progress', generation: published });
  expect(status?.resume?.passes).toEqual(['objects']); // killed inside references, after objects
  expect(building).toBeGreaterThan(published);
  expect(await generationsInWeaviate()).toEqual([published, building]);
  expect(await aliases()).toEqual(allAt(published));
  // The dead holder's lease is not waited out here (takeover after the TTL is tested in
  // init-v111.int.test.ts): unlock is what an operator runs after a kill -9.
  const unlock = await runCli(['unlock'], env(B));
  expect(unlock.exitCode, unlock.stderr).toBe(0);
  return { published, building, readers };
}

describe('generations when init is killed or interrupted (real processes, default vectorizer)', () => {
  it('kill -9 while building: the same dataset resumes that generation and publishes it; A answers until then', async () => {
    const { published, building, readers } = await crashWhileBuildingB();
    const restartedAt = Date.now();
    const restart = await runCli(['init'], env(B));
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(restart.logs.some((l) => l.msg === `resuming generation ${building} of this dataset`)).toBe(true);
    expect(outcomeLine(restart.logs)?.outcome).toBe('ingested');
    await readers.load.waitFor((s) => s.result === readers.after);
    const reads = await readers.load.stop();

    const store = await statusStore();
    const [run] = await store.listRuns('esco', 1);
    expect(run).toMatchObject({ state: 'ingested', resumed: ['objects'] });
    const status = await store.readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', generation: building, resume: null });
    for (const [name, n] of Object.entries(expectedB)) expect(status?.counts?.[name], name).toBe(n);
    expect(await aliases()).toEqual(allAt(building));
    expect(await generationsInWeaviate()).toEqual([published, building]); // A kept for rollback

    // Every read answered with one release's label; A's alone until the resumed run started.
    expect(reads.filter((r) => r.error !== undefined)).toEqual([]);
    expect(reads.filter((r) => r.result !== readers.before && r.result !== readers.after)).toEqual([]);
    const beforeRestart = reads.filter((r) => r.endedAt < restartedAt);
    expect(beforeRestart.length).toBeGreaterThan(0);
    expect(beforeRestart.filter((r) => r.result !== readers.before)).toEqual([]);
    console.info(`kill -9 and resume: ${reads.length} reads of the published Skill, ${readers.load.dropped} dropped`);
  }, 600_000);

  it('kill -9 while building, then another dataset: the unfinished generation is dropped and a new one built', async () => {
    const { published, building, readers } = await crashWhileBuildingB();
    const next = await runCli(['init'], env(SAMPLE)); // back to release A
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.logs.some((l) => l.msg === `dropped generation ${building} (before building)`)).toBe(true);
    const built = next.logs.find((l) => /^building generation \d+$/.test(l.msg));
    const generation = Number(built?.generation);
    expect(generation).toBeGreaterThan(building);
    const reads = await readers.load.stop();

    const status = await (await statusStore()).readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', generation });
    expect(await aliases()).toEqual(allAt(generation));
    expect(await generationsInWeaviate()).toEqual([published, generation]);
    expect(reads.filter((r) => r.error !== undefined)).toEqual([]);
    expect(reads.filter((r) => r.result !== readers.before)).toEqual([]); // A throughout
  }, 600_000);

  it('finishes an interrupted switch without writing or vectorizing anything; followers wait; a warm restart skips', async () => {
    const inference = weaviate().inference;
    if (!inference) throw new Error('the harness started no inference service');
    const published = await initA();
    // The upgrade to B by three processes at once: one builds and publishes, the others wait.
    const starts = Array.from({ length: 3 }, () => startCli(['init'], env(B)));
    const ended = await Promise.all(starts.map((p) => p.ended));
    ended.forEach((e, i) => {
      expect(e.exitCode, `process ${i}: ${e.stderr}`).toBe(0);
    });
    expect(starts.map((p) => outcomeLine(p.logs)?.outcome).sort()).toEqual(['ingested', 'waited', 'waited']);
    const store = await statusStore();
    const upgraded = await store.readStatus('esco');
    const generation = upgraded?.generation;
    if (typeof generation !== 'number' || generation === published) throw new Error('B was not published');
    for (const e of ended) expect(e.endedAt).toBeGreaterThanOrEqual(Date.parse(upgraded?.completedAt ?? ''));

    // What a kill -9 between the status write and the last alias leaves: one name still at A.
    const put = await fetch(`${weaviate().url}/v1/aliases/Skill`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ class: `Skill_g${published}` }),
    });
    expect(put.status, await put.text()).toBe(200);
    expect((await aliases()).Skill).toBe(`Skill_g${published}`);

    const callsBefore = (await inference.stats()).requests;
    const finish = await runCli(['init'], env(B));
    expect(finish.exitCode, finish.stderr).toBe(0);
    expect(finish.logs.find((l) => l.decision === 'ingest')?.reason).toMatch(/finishing the switch$/);
    expect(finish.logs.some((l) => l.msg === `finished the switch to generation ${generation}`)).toBe(true);
    expect(await aliases()).toEqual(allAt(generation));
    expect((await inference.stats()).requests - callsBefore).toBe(0);
    const [run] = await store.listRuns('esco', 1);
    expect(run?.state).toBe('ingested');
    expect(run?.passes).toEqual([]); // nothing read, built or written: only the aliases moved
    expect(await store.readStatus('esco')).toMatchObject({ state: 'completed', generation });
    expect(await generationsInWeaviate()).toEqual([published, generation]);

    const warm = await runCli(['init'], env(B));
    expect(warm.exitCode, warm.stderr).toBe(0);
    const done = outcomeLine(warm.logs);
    expect(done?.outcome).toBe('skipped');
    expect(warm.logs.find((l) => l.decision !== undefined)?.reason).toMatch(/^already complete/);
    console.info(`warm restart after the switch: decision ${done?.decisionMs} ms, ${done?.totalMs} ms in all`);
  }, 600_000);
});
