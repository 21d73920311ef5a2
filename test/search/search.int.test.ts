/**
 * The search service (`esco-init serve`) as a real process against a real Weaviate with the
 * text2vec-transformers module (the harness's default), with the sample loaded by the real
 * `esco-init init`. Expected answers come from the sample CSVs (test/e2e/truth.ts), not from the
 * code under test. Vector and hybrid ranking: vectors.int.test.ts; a deployment without vectors:
 * filters.int.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { probeOccupation } from '../e2e/checks.ts';
import { readTruth, type Truth } from '../e2e/truth.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { type Hit, SAMPLE, useSearchService } from './service.ts';

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
