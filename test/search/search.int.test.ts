/**
 * The search service (`esco-init serve`) as a real process against a real Weaviate with the
 * text2vec-transformers module (the harness's default), with the sample loaded by the real
 * `esco-init init`. Expected answers come from the sample CSVs (test/e2e/truth.ts), not from the
 * code under test. Vector and hybrid ranking: vectors.int.test.ts; a deployment without vectors:
 * filters.int.test.ts. Generations: `init` publishes one (`Skill_g<n>`, … behind the aliases), every
 * answer names the one it was read from, and after `init --force-reingest` answers come from the new
 * one, also from a service whose pin still held the old one when it was dropped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/api-keys.ts';
import { buildServer, pinReadiness } from '../../src/http/server.ts';
import { WeaviateGate } from '../../src/http/weaviate-gate.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { GenerationPin } from '../../src/search/generation-pin.ts';
import { SearchQueries } from '../../src/search/queries.ts';
import type { DatasetStatus } from '../../src/status/status-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { probeOccupation } from '../e2e/checks.ts';
import { readTruth, type Truth } from '../e2e/truth.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { type Answer, type Hit, SAMPLE, useSearchService } from './service.ts';

const weaviate = useWeaviate();
const service = useSearchService(weaviate);
const { esco, get } = service;
let truth: Truth;

beforeAll(async () => {
  truth = await readTruth(SAMPLE);
  await service.start();
});

describe('esco-init serve', () => {
  it('is unhealthy (503) until init has completed, then healthy (200)', async () => {
    const before = await get('/healthz');
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ ready: false, state: 'not_started' });
    const init = await esco(['init']);
    expect(init.code, init.stderr.slice(-3000)).toBe(0);
    const after = await get('/healthz');
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ ready: true, state: 'completed' });
  });

  it('finds an occupation by its label with mode=bm25', async () => {
    const probe = probeOccupation(truth);
    const q = encodeURIComponent(probe.label);
    const { status, body } = await get(`/search?type=occupation&limit=3&mode=bm25&q=${q}`);
    expect(status).toBe(200);
    expect(body.mode).toBe('bm25');
    expect(body).not.toHaveProperty('alpha');
    const results = body.results as Hit[];
    expect(results[0]).toMatchObject({ uri: probe.uri, label: probe.label });
    expect(results[0]?.score).toBeGreaterThan(0);
    expect(results[0]).not.toHaveProperty('distance');
    expect(results[0]?.id).toBe(probe.uri.split('/').pop());
    expect(results.length).toBeLessThanOrEqual(3);
  });

  it('searches skills by default and finds a skill by a word of its label', async () => {
    const [uri, label] = [...truth.skills.entries()].sort((a, b) => a[0].localeCompare(b[0]))[0] ?? ['', ''];
    const word = label.split(/\s+/).sort((a, b) => b.length - a.length)[0] ?? '';
    const { status, body } = await get(`/search?q=${encodeURIComponent(word)}&limit=100`);
    expect(status).toBe(200);
    expect(body.type).toBe('skill');
    expect((body.results as Hit[]).map((h) => h.uri)).toContain(uri);
  });

  it('returns an occupation with exactly the essential and optional skills of the CSV', async () => {
    const probe = probeOccupation(truth);
    const optional = new Set(
      [...truth.relations]
        .filter((k) => k.startsWith(`${probe.uri}|`) && k.endsWith('|optional'))
        .map((k) => k.split('|')[1]),
    );
    const id = probe.uri.split('/').pop() ?? '';
    for (const ref of [id, encodeURIComponent(probe.uri)]) {
      const { status, body } = await get(`/occupations/${ref}`);
      expect(status).toBe(200);
      expect(body.label).toBe(probe.label);
      expect(new Set((body.essentialSkills as Hit[]).map((s) => s.uri))).toEqual(probe.essential);
      expect(new Set((body.optionalSkills as Hit[]).map((s) => s.uri))).toEqual(optional);
    }
  });

  it('returns a skill with the occupations that need it', async () => {
    const needing = new Map<string, Set<string>>();
    for (const key of truth.relations) {
      const [occupation = '', skill = '', type] = key.split('|');
      if (type === 'essential') needing.set(skill, (needing.get(skill) ?? new Set()).add(occupation));
    }
    const [skillUri, occupations] = [...needing.entries()].sort((a, b) => b[1].size - a[1].size)[0] ?? ['', new Set()];
    const { status, body } = await get(`/skills/${skillUri.split('/').pop()}`);
    expect(status).toBe(200);
    const essential = (body.occupations as { essential: Hit[] }).essential;
    expect(new Set(essential.map((o) => o.uri))).toEqual(occupations);
  });

  it('answers 404 for an unknown id and 400 naming the bad parameter', async () => {
    const missing = await get('/occupations/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    const bad = await get('/search?q=&type=course&limit=500');
    expect(bad.status).toBe(400);
    const paths = (bad.body.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['limit', 'q', 'type']);
  });
});

describe('one generation per request', () => {
  async function published(): Promise<DatasetStatus & { generation: number }> {
    const status = await new WeaviateStatusStore(await weaviate().client()).readStatus('esco');
    expect(status?.generation).toEqual(expect.any(Number));
    return status as DatasetStatus & { generation: number };
  }

  /** The body names the generation and the dataset, and so does the header. */
  function expectFrom(answer: Answer, status: DatasetStatus & { generation: number }, what: string) {
    expect(answer.body.generation, what).toBe(status.generation);
    expect(answer.body.fingerprint, what).toBe(status.fingerprint?.slice(0, 12));
    expect(answer.headers.get('ESCO-Generation'), what).toBe(String(status.generation));
    expect(answer.headers.get('ESCO-Fingerprint'), what).toBe(status.fingerprint?.slice(0, 12));
  }

  it('init published a generation: the aliases point at its collections, and every answer names it', async () => {
    const status = await published();
    const aliases = new Map(
      ((await (await weaviate().client()).alias.listAll()) ?? []).map((a) => [a.alias, a.collection]),
    );
    expect(aliases.get('Skill')).toBe(`Skill_g${status.generation}`);
    expect(aliases.get('Occupation')).toBe(`Occupation_g${status.generation}`);
    const probe = probeOccupation(truth);
    const id = probe.uri.split('/').pop() ?? '';
    const skill = [...truth.skills.keys()][0]?.split('/').pop() ?? '';
    const answers: [string, number][] = [
      [`/search?type=occupation&mode=bm25&q=${encodeURIComponent(probe.label)}`, 200],
      [`/occupations/${id}`, 200],
      [`/skills/${skill}`, 200],
      [`/skills/${skill}/similar?limit=3`, 200],
      ['/occupations/00000000-0000-0000-0000-000000000000', 404],
      ['/search?q=cider&collection=noSuchCollection', 400],
    ];
    for (const [path, code] of answers) {
      const answer = await get(path);
      expect(answer.status, path).toBe(code);
      expectFrom(answer, status, path);
    }
    const health = await get('/healthz');
    expect(health.body).toMatchObject({ ready: true, generation: status.generation });
    expect(health.headers.get('ESCO-Generation')).toBe(String(status.generation));
  });

  it('after init --force-reingest dropped the old generation, answers come from the new one, even where the old was pinned', async () => {
    const client = await weaviate().client();
    const store = new WeaviateStatusStore(client);
    // In the test process, a pin whose clock stands still: it reads the status again only when a
    // query meets a dropped collection.
    const pin = new GenerationPin(() => store.readStatus('esco'), { now: () => 0 });
    const app = buildServer({
      search: { queries: new SearchQueries(client), defaults: { mode: 'bm25', alpha: 0.5 }, pin },
      readiness: pinReadiness(pin, 'esco'),
      keys: new ApiKeys({ reader: [], monitor: [], admin: [] }),
      rateLimitPerMinute: 0,
      saturation: { maxEventLoopDelayMs: 0 },
      metrics: new Metrics({ processMetrics: false }),
      retryAfterSeconds: 10,
      gate: new WeaviateGate(async () => null),
      log: silentLogger(),
    });
    try {
      const probe = probeOccupation(truth);
      const search = `/search?type=occupation&mode=bm25&limit=100&q=${encodeURIComponent(probe.label)}`;
      const inject = async (path: string): Promise<Answer> => {
        const res = await app.inject(path);
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        return { status: res.statusCode, body: res.json() as Record<string, unknown>, headers };
      };
      const old = await published();
      const before = await inject(search);
      expect(before.status).toBe(200);
      expectFrom(before, old, 'before');

      const reinit = await esco(['init', '--force-reingest'], { ESCO_KEEP_GENERATIONS: '0' });
      expect(reinit.code, reinit.stderr.slice(-3000)).toBe(0);
      const next = await published();
      expect(next.generation).toBeGreaterThan(old.generation);
      expect(next.fingerprint).toBe(old.fingerprint);
      // Retention 0 dropped the old generation: the pin above names collections that are gone.
      expect(await client.collections.exists(`Skill_g${old.generation}`)).toBe(false);
      expect(await client.collections.exists(`Occupation_g${old.generation}`)).toBe(false);

      const uris = (a: Answer) => (a.body.results as Hit[]).map((h) => h.uri);
      const after = await inject(search);
      expect(after.status, JSON.stringify(after.body)).toBe(200);
      expectFrom(after, next, 'in-process, after');
      expect(uris(after)).toEqual(uris(before));
      const served = await get(search);
      expect(served.status, JSON.stringify(served.body)).toBe(200);
      expectFrom(served, next, 'esco-init serve, after');
      expect(uris(served)).toEqual(uris(before));
      const occupation = await get(`/occupations/${probe.uri.split('/').pop()}`);
      expectFrom(occupation, next, 'occupation');
      expect(new Set((occupation.body.essentialSkills as Hit[]).map((s) => s.uri))).toEqual(probe.essential);
    } finally {
      await app.close();
    }
  });
});
