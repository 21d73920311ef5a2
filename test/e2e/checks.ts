/**
 * What the scenarios assert, against the running stack: the data in Weaviate equals the ground
 * truth (counts, every occupation–skill relation, no duplicates), the search service answers
 * from it, and the containers exited and started in the order the compose file promises.
 */
import assert from 'node:assert/strict';
import { DEFAULT_DATASET_KEY, type RunRecord } from '../../src/status/status-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import type { ContainerState } from './podman.ts';
import type { Stack } from './stack.ts';
import type { Truth } from './truth.ts';

export async function upOk(stack: Stack, extra: string[] = []): Promise<void> {
  const result = await stack.up(extra);
  if (result.exitCode !== 0) {
    throw new Error(
      `docker-compose up exited ${result.exitCode}:\n${result.stderr.trim().split('\n').slice(-15).join('\n')}`,
    );
  }
}

/** Objects per collection and the occupation–skill relations, compared with the CSVs. */
export async function checkData(stack: Stack, truth: Truth): Promise<void> {
  const client = await stack.weaviate();
  const expected: [string, number][] = [
    ['Skill', truth.skills.size],
    ['Occupation', truth.occupations.size],
    ['ISCOGroup', truth.iscoGroups],
    ['SkillGroup', truth.skillGroups],
  ];
  for (const [name, count] of expected) {
    const { totalCount } = await client.collections.use(name).aggregate.overAll();
    assert.equal(totalCount, count, `${name}: ${totalCount} objects in Weaviate, ${count} concepts in the CSV`);
  }
  const { keys, entries } = await storedRelations(stack);
  assert.equal(entries, keys.size, `${entries - keys.size} duplicate occupation–skill references`);
  const missing = [...truth.relations].filter((k) => !keys.has(k));
  const extra = [...keys].filter((k) => !truth.relations.has(k));
  assert.deepEqual(
    { missing: missing.length, extra: extra.length },
    { missing: 0, extra: 0 },
    `relations differ from the CSV; missing e.g. ${missing.slice(0, 3).join(', ')}; extra e.g. ${extra.slice(0, 3).join(', ')}`,
  );
}

async function storedRelations(stack: Stack): Promise<{ keys: Set<string>; entries: number }> {
  const occupations = (await stack.weaviate()).collections.use('Occupation');
  const keys = new Set<string>();
  let entries = 0;
  let after: string | undefined;
  for (;;) {
    const page = await occupations.query.fetchObjects({
      limit: 200,
      after,
      returnProperties: ['conceptUri'],
      returnReferences: [
        { linkOn: 'essentialSkills', returnProperties: ['conceptUri'] },
        { linkOn: 'optionalSkills', returnProperties: ['conceptUri'] },
      ],
    });
    for (const o of page.objects) {
      for (const [link, type] of [
        ['essentialSkills', 'essential'],
        ['optionalSkills', 'optional'],
      ] as const) {
        for (const target of o.references?.[link]?.objects ?? []) {
          entries++;
          keys.add(`${o.properties.conceptUri}|${target.properties.conceptUri}|${type}`);
        }
      }
    }
    const last = page.objects.at(-1);
    if (!last || page.objects.length < 200) break;
    after = last.uuid;
  }
  return { keys, entries };
}

/** The occupation with the most essential skills: a stable, non-trivial probe. */
export function probeOccupation(truth: Truth): { uri: string; label: string; essential: Set<string> } {
  const essential = new Map<string, Set<string>>();
  for (const key of truth.relations) {
    const [occupation = '', skill = '', type] = key.split('|');
    if (type !== 'essential') continue;
    essential.set(occupation, (essential.get(occupation) ?? new Set()).add(skill));
  }
  const [uri, skills] =
    [...essential.entries()].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))[0] ?? [];
  assert.ok(uri && skills, 'the dataset has no essential occupation–skill relation');
  return { uri, label: truth.occupations.get(uri) ?? '', essential: skills };
}

interface Hit {
  uri: string;
  label: string;
}

/**
 * The search service answers from the data: the probe occupation is found by its label, its
 * essential skills are exactly the CSV's, and one of those skills lists it back. Returns the
 * search response so a later run can be compared with it.
 */
export async function checkSearch(stack: Stack, truth: Truth): Promise<unknown> {
  const probe = probeOccupation(truth);
  const health = await searchAnswer(stack, '/healthz');
  assert.equal(health.status, 200, `GET /healthz: ${health.status} ${await health.text()}`);
  const found = await json(stack, `/search?type=occupation&limit=5&q=${encodeURIComponent(probe.label)}`);
  const hits = (found as { results: Hit[] }).results;
  assert.equal(hits[0]?.uri, probe.uri, `searching "${probe.label}" found ${JSON.stringify(hits.slice(0, 3))}`);
  const id = probe.uri.slice(probe.uri.lastIndexOf('/') + 1);
  const occupation = (await json(stack, `/occupations/${id}`)) as { essentialSkills: Hit[] };
  assert.deepEqual(new Set(occupation.essentialSkills.map((s) => s.uri)), probe.essential);
  const skillUri = [...probe.essential].sort()[0] ?? '';
  const skill = (await json(stack, `/skills/${skillUri.slice(skillUri.lastIndexOf('/') + 1)}`)) as {
    occupations: { essential: Hit[] };
  };
  assert.ok(
    skill.occupations.essential.some((o) => o.uri === probe.uri),
    `GET /skills/<id> of ${skillUri} does not list ${probe.uri} among the occupations needing it`,
  );
  return found;
}

/**
 * `up -d` returns once esco-search's container has started; the server in it listens a moment
 * later (Node start, Weaviate connection). Wait for the first answer, as a client would.
 */
async function searchAnswer(stack: Stack, path: string): Promise<Response> {
  const deadline = Date.now() + 300_000; // a safety net: the answer is the event waited for
  for (;;) {
    try {
      return await stack.search(path);
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`esco-search did not answer GET ${path} within 300 s`, { cause: error });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function json(stack: Stack, path: string): Promise<unknown> {
  const res = await stack.search(path);
  const body = await res.text();
  assert.equal(res.status, 200, `GET ${path}: ${res.status} ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/**
 * The newest run records, read as root: listing them filters Metadata, which needs
 * read_collections on it, and role esco-search only reads its objects (the status record).
 */
export async function runRecords(stack: Stack): Promise<RunRecord[]> {
  return new WeaviateStatusStore(await stack.weaviate('root')).listRuns(DEFAULT_DATASET_KEY, 20);
}

export async function completedAt(stack: Stack): Promise<Date> {
  const status = await new WeaviateStatusStore(await stack.weaviate()).readStatus(DEFAULT_DATASET_KEY);
  assert.equal(status?.state, 'completed', `status record: ${JSON.stringify(status)}`);
  return new Date(status?.completedAt ?? 0);
}

/** Every esco-init container exited 0; returns them. */
export async function initExitedOk(stack: Stack, replicas = 1): Promise<ContainerState[]> {
  const inits = await stack.containers('esco-init');
  assert.equal(inits.length, replicas, `${inits.length} esco-init containers, ${replicas} expected`);
  for (const c of inits) {
    assert.equal(c.status, 'exited', `${c.name} is ${c.status}`);
    assert.equal(c.exitCode, 0, `${c.name} exited ${c.exitCode}`);
  }
  return inits;
}

/** esco-search runs and was started only after every esco-init container had exited. */
export async function searchStartedAfter(stack: Stack, inits: ContainerState[]): Promise<void> {
  const [search] = await stack.containers('esco-search');
  assert.ok(search?.startedAt, 'esco-search was never started');
  assert.equal(search.status, 'running', `esco-search is ${search.status}`);
  for (const init of inits) {
    assert.ok(init.finishedAt && init.finishedAt <= search.startedAt, `esco-search started before ${init.name} exited`);
  }
}

export async function searchNeverStarted(stack: Stack): Promise<void> {
  const started = (await stack.containers('esco-search')).filter((c) => c.startedAt !== null);
  assert.equal(started.length, 0, `esco-search was started: ${started.map((c) => `${c.name} ${c.status}`).join(', ')}`);
}

/** The service's own compose health check reports healthy (run by the ticker at its interval). */
export async function becomesHealthy(stack: Stack, service: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let health: string | null | undefined;
  while (Date.now() < deadline) {
    health = (await stack.containers(service))[0]?.health;
    if (health === 'healthy') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${service} is ${health ?? 'without a health status'} after ${timeoutMs / 1000} s`);
}

export function seconds(c: ContainerState): number {
  return c.startedAt && c.finishedAt ? (c.finishedAt.getTime() - c.startedAt.getTime()) / 1000 : Number.NaN;
}
