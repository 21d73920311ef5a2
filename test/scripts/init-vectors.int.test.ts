/**
 * `esco-init init` on the default path, with vectors: a real weaviate-server with the
 * text2vec-transformers module and the project's inference service running the real model.
 * Pins what vectorizing costs (one inference call per object on a cold run, none on a warm run or
 * a forced re-run of unchanged data, one per concept whose text changed) and what happens when
 * the inference service goes down or stalls mid-ingest. One server for the file, in order; the
 * stall has its own.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/clock.ts';
import { openDataset } from '../../src/esco/open.ts';
import { generationName } from '../../src/generations/names.ts';
import { buildPlan, type Plan, type PlannedObject, propertiesOf } from '../../src/ingest/plan.ts';
import { silentLogger } from '../../src/log.ts';
import { readHashes } from '../../src/weaviate/cursor.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { readRestPages, restEndpoint } from '../../src/weaviate/rest.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { type LocalInference, startInference } from '../support/inference.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { type CliProcess, resetWeaviate, runCli, SAMPLE, startCli } from './processes.ts';

// Weaviate's own module timeout (50 s): a short one is a margin that a healthy but busy service
// outlasts (a call that timed out is retried and counted twice). The stall has its own server.
const weaviate = useWeaviate();
const definitions = loadSchemas({ vectorizer: 'text2vec-transformers' });
const vectorized = definitions.collections.filter((c) => c.vectorizer !== 'none');
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-vectors-'));
let restarted: LocalInference | undefined;

const env = (data = SAMPLE) => ({ ...weaviate().env, ESCO_DATA: data });
function inference(): LocalInference {
  const current = restarted ?? weaviate().inference;
  if (!current) throw new Error('the harness started no inference service');
  return current;
}
const calls = async () => (await inference().stats()).requests;

afterAll(async () => {
  await restarted?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function planOf(data: string): Promise<Plan> {
  const dataset = await openDataset([data], { language: 'en', policy: 'strict', maxRejected: 0 });
  return buildPlan(dataset, { definitions });
}

/** Ids of the objects whose vectorizer input (the vectorized properties) differs between two plans, or is new. */
function textChangedIds(before: Plan, after: Plan): Set<string> {
  const ids = new Set<string>();
  for (const def of vectorized) {
    const text = (o: PlannedObject) => JSON.stringify(def.vectorizedProperties.map((name) => propertiesOf(o)[name]));
    const old = new Map(before.collections.find((c) => c.name === def.name)?.objects.map((o) => [o.id, text(o)]));
    for (const o of after.collections.find((c) => c.name === def.name)?.objects ?? []) {
      if (old.get(o.id) !== text(o)) ids.add(o.id);
    }
  }
  return ids;
}

const textChanges = (before: Plan, after: Plan) => textChangedIds(before, after).size;

function vectorizedObjects(plan: Plan): number {
  return plan.collections
    .filter((c) => vectorized.some((d) => d.name === c.name))
    .reduce((n, c) => n + c.objects.length, 0);
}

/** The sample with `count` skill descriptions reworded and one occupation–skill relation removed. */
function changedSample(name: string, count: number): string {
  const dir = path.join(scratch, name);
  cpSync(SAMPLE, dir, { recursive: true });
  const skills = path.join(dir, 'skills_en.csv');
  let text = readFileSync(skills, 'utf8');
  for (let i = 0; i < count; i++) text = text.replace('safely and on time.', 'carefully and on schedule.');
  writeFileSync(skills, text);
  const relations = path.join(dir, 'occupationSkillRelations.csv');
  const lines = readFileSync(relations, 'utf8').split('\n');
  writeFileSync(relations, [...lines.slice(0, 1), ...lines.slice(2)].join('\n'));
  return dir;
}

/** id → the stored vector (none: empty) of every object of the published vectorized collections. */
async function storedVectors(): Promise<Map<string, number[]>> {
  const rest = restEndpoint(weaviate().settings);
  const vectors = new Map<string, number[]>();
  for (const def of vectorized) {
    const options = { vectors: true, log: silentLogger(), signal: AbortSignal.timeout(60_000) };
    for await (const page of readRestPages(rest, def.name, options)) {
      for (const o of page) vectors.set(o.id, (o.vectors?.default as number[] | undefined) ?? []);
    }
  }
  return vectors;
}

async function storedVectorSizes(): Promise<number[]> {
  return [...(await storedVectors()).values()].map((v) => v.length);
}

/** Objects written with the published generation's vector, as the references pass logged them. */
function carriedIn(run: { logs: Record<string, unknown>[] }): number {
  return run.logs.filter((l) => l.msg === 'references pass').reduce((n, l) => n + Number(l.carried ?? 0), 0);
}

/**
 * Ids of the objects of `collection` whose text differs in `plan` from the published dataset's and
 * that are already stored as `plan` has them, in the generation being built (the status names it
 * once the run holds the lease).
 */
async function alreadyWritten(plan: Plan, collection: string): Promise<Set<string>> {
  const written = new Set<string>();
  const building = (await status())?.resume?.generation;
  if (building === undefined || building === null) return written;
  const physical = generationName(collection, building);
  const client = await weaviate().client();
  if (!(await client.collections.exists(physical))) return written;
  const stored = await readHashes(client, physical, AbortSignal.timeout(60_000));
  const changed = textChangedIds(published, plan);
  const objects = plan.collections.find((c) => c.name === collection)?.objects ?? [];
  for (const o of objects) if (changed.has(o.id) && stored.get(o.id) === o.hash) written.add(o.id);
  return written;
}

async function status(server = weaviate()) {
  return new WeaviateStatusStore(await server.client()).readStatus('esco');
}

/** Polls `check` (a counter, a stored object: an event seen from outside) until it holds. */
async function until(check: () => Promise<boolean>, run: CliProcess): Promise<void> {
  let ended = false;
  void run.ended.then(() => {
    ended = true;
  });
  while (!(await check())) {
    if (ended) throw new Error(`init ended before the awaited moment:\n${(await run.ended).stderr.slice(-3000)}`);
    await sleep(50);
  }
}

let base: Plan;
/** The dataset the published generation holds: the tests run in order, each from the last one's. */
let published: Plan;

beforeAll(async () => {
  base = await planOf(SAMPLE);
  published = base;
  await resetWeaviate(await weaviate().client());
});

describe('init with vectors (text2vec-transformers, the real model)', () => {
  it('vectorizes every object exactly once on a cold run, each vector of the model’s 384 dimensions', async () => {
    const before = await calls();
    const run = await runCli(['init'], env());
    expect(run.exitCode, run.stderr).toBe(0);
    const objects = vectorizedObjects(base);
    expect(objects).toBeGreaterThan(50);
    expect((await calls()) - before).toBe(objects); // calls ÷ vectorized objects = 1.0
    const sizes = await storedVectorSizes();
    expect(sizes).toHaveLength(objects);
    expect(new Set(sizes)).toEqual(new Set([384]));
    expect(run.logs.some((l) => l.msg === 'verified' && l.vectors === objects)).toBe(true);
  });

  it('costs no inference call on a warm restart, nor on a forced re-ingest of unchanged data', async () => {
    const before = await calls();
    const warm = await runCli(['init'], env());
    expect(warm.exitCode, warm.stderr).toBe(0);
    expect(warm.logs.some((l) => l.decision === 'skip')).toBe(true);
    const previous = await status();
    const vectors = await storedVectors();
    const forced = await runCli(['init', '--force-reingest', '--yes'], env());
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.logs.some((l) => l.outcome === 'ingested')).toBe(true);
    expect((await calls()) - before).toBe(0);
    // A new generation, every vector carried over from the published one, bit for bit.
    const generation = (await status())?.generation;
    expect(previous?.generation).toEqual(expect.any(Number));
    expect(generation).toBeGreaterThan(previous?.generation ?? Number.POSITIVE_INFINITY);
    expect(carriedIn(forced)).toBe(vectorizedObjects(base));
    expect(await storedVectors()).toEqual(vectors);
  });

  it('costs one call per concept whose text changed on a changed dataset (a relation or date change costs none)', async () => {
    const data = changedSample('changed', 3);
    // A property that is not vectorized changes too: the object is rewritten, its vector carried.
    const skills = path.join(data, 'skills_en.csv');
    writeFileSync(skills, readFileSync(skills, 'utf8').replace('2018-07-22T11:10:38.125Z', '2026-01-02T03:04:05.6Z'));
    const changed = await planOf(data);
    const expected = textChanges(base, changed);
    expect(expected).toBe(3);
    const skillsOf = (plan: Plan) => plan.collections.find((c) => c.name === 'Skill')?.objects ?? [];
    const redated = skillsOf(changed).find((o) => String(propertiesOf(o).modifiedDate).startsWith('2026-01-02'));
    if (!redated) throw new Error('the changed copy has no redated skill');
    expect(skillsOf(base).find((o) => o.id === redated.id)?.hash).not.toBe(redated.hash);
    expect(textChangedIds(base, changed).has(redated.id)).toBe(false);
    const generation = (await status())?.generation;
    const vectors = await storedVectors();
    const before = await calls();
    const run = await runCli(['init'], env(data));
    expect(run.exitCode, run.stderr).toBe(0);
    published = changed;
    expect((await calls()) - before).toBe(expected);
    expect((await status())?.generation).toBeGreaterThan(generation ?? Number.POSITIVE_INFINITY);
    expect(carriedIn(run)).toBe(vectorizedObjects(changed) - expected);
    const after = await storedVectors();
    expect(after.get(redated.id)).toEqual(vectors.get(redated.id));
    expect(new Set([...after.values()].map((v) => v.length))).toEqual(new Set([384]));
  });
});

describe('init when the inference service fails mid-ingest', () => {
  it('down: exits 5 naming the inference URL and the unwritten concepts, records failed; the next run resumes', async () => {
    const data = changedSample('down', 40);
    const changed = await planOf(data);
    const url = inference().url;
    const before = await calls();
    const run = startCli(['init'], { ...env(data), LOG_LEVEL: 'debug', ESCO_BATCH_SIZE: '2', ESCO_CONCURRENCY: '1' });
    // Mid-ingest by events, not by a race with the log: stopped (SIGSTOP) once its first changed
    // skill reached the service, its batch in flight lands and no other starts; the service goes
    // down; then it goes on.
    await until(async () => (await calls()) > before, run);
    run.kill('SIGSTOP');
    await until(async () => (await alreadyWritten(changed, 'Skill')).size > 0, run);
    await inference().stop();
    run.kill('SIGCONT');
    const ended = await run.ended;
    expect(ended.exitCode, ended.stderr).toBe(5);
    expect(ended.stderr).toContain('INFERENCE_UNAVAILABLE');
    expect(ended.stderr).toContain(`${url}/`);
    expect(ended.stderr).toMatch(/http:\/\/data\.europa\.eu\/esco\/skill\//);
    const failed = await status();
    expect(failed?.state).toBe('failed');
    expect(failed?.error?.code).toBe('INFERENCE_UNAVAILABLE');
    const written = await alreadyWritten(changed, 'Skill');
    const unwritten = [...textChangedIds(published, changed)].filter((id) => !written.has(id));
    expect(written.size).toBeGreaterThan(0);

    restarted = await startInference({ port: Number(new URL(url).port) });
    const resumed = await runCli(['init'], env(data));
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect((await status())?.state).toBe('completed');
    // Skills rewritten before the failure kept their vectors, unchanged ones carried theirs: the
    // resumed run vectorized the rest of those whose text differs from the published dataset's.
    expect(await calls()).toBe(unwritten.length);
    expect(unwritten.length).toBeGreaterThan(30);
    expect(new Set(await storedVectorSizes())).toEqual(new Set([384]));
  }, 600_000);
});

describe('init when the inference service stalls mid-ingest', () => {
  // Its own server and service: a stalled service makes Weaviate's module wait this long per
  // object (50 s by default), a timeout no other scenario should have.
  const stalling = useWeaviate({ env: { MODULES_CLIENT_TIMEOUT: '2s' } });

  it('stalled: bounded retries, then exit 5 naming the inference URL; nothing is marked completed', async () => {
    const server = stalling();
    const service = server.inference;
    if (!service) throw new Error('the harness started no inference service');
    const stallEnv = { ...server.env, ESCO_DATA: SAMPLE };
    // One object per request: the service is paused (SIGSTOP) once the first one reached it, with
    // hundreds still to vectorize.
    const run = startCli(['init'], { ...stallEnv, LOG_LEVEL: 'debug', ESCO_BATCH_SIZE: '1', ESCO_CONCURRENCY: '1' });
    await until(async () => (await service.stats()).requests > 0, run);
    service.pause();
    try {
      const ended = await run.ended;
      expect(ended.exitCode, ended.stderr).toBe(5);
      expect(ended.stderr).toContain(`${service.url}/`);
      expect(ended.stderr).toMatch(/deadline exceeded|timed? ?out/i);
      expect((await status(server))?.state).toBe('failed');
    } finally {
      service.resume();
    }
    // A few texts in flight at a time: each is answered well within the 2 s timeout.
    const resumed = await runCli(['init'], { ...stallEnv, ESCO_BATCH_SIZE: '8', ESCO_CONCURRENCY: '1' });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect((await status(server))?.state).toBe('completed');
  }, 600_000);
});
