/**
 * The vector paths of the search service (`esco-init serve`) as a real process against a real
 * Weaviate with the text2vec-transformers module and the project's inference service running the
 * real all-MiniLM-L6-v2 (the harness's default), holding the sample loaded by the real
 * `esco-init init`: the default ranking and its settings, mode=vector, mode=hybrid with alpha,
 * the filters in both, and /similar. What should be found comes from the CSVs (sample.ts); which
 * queries find a concept by meaning alone was measured once and is explained at BY_MEANING.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConceptType } from '../../src/search/concepts.ts';
import { useWeaviate } from '../support/weaviate.ts';
import {
  conceptsOf,
  filterChecks,
  inCollection,
  iscoStartsWith,
  type Params,
  SKILL_TYPES,
  splittingIscoPrefixes,
} from './filtering.ts';
import { broadQuery, byLabel, type Concept, readSample, type Sample } from './sample.ts';
import { type Hit, query, SAMPLE, type SearchService, storedVectors, useSearchService } from './service.ts';

const weaviate = useWeaviate();
const service = useSearchService(weaviate);
// The same data served with other defaults: serve reads search.mode / search.alpha when it starts.
const vectorByDefault = useSearchService(weaviate, { ESCO_SEARCH_MODE: 'vector' });
const alphaByDefault = useSearchService(weaviate, { ESCO_SEARCH_ALPHA: '0.8' });
let sample: Sample;

beforeAll(async () => {
  sample = await readSample(SAMPLE);
  const init = await service.esco(['init']);
  if (init.code !== 0) throw new Error(`esco-init init exited ${init.code}:\n${init.stderr.slice(-3000)}`);
  await Promise.all([service.start(), vectorByDefault.start(), alphaByDefault.start()]);
});

/** all-MiniLM-L6-v2 embeds into 384 dimensions. */
const DIMENSIONS = 384;

/**
 * Queries that share no word with the concept's embedded text (label, alternative labels,
 * description), so only meaning can find it. Each names what the model has learnt to put next to
 * the concept's own word (bees and hives → beehive, seaweed → kelp, which is one, beekeeper →
 * beehive), and the sample has no other concept on the topic. Measured with mode=vector: each
 * concept ranks 1st or 2nd, its topic's concepts fill the first places, and the first concept of
 * another topic is at least 0.08 farther in cosine distance.
 */
const BY_MEANING: { type: ConceptType; q: string; label: string }[] = [
  { type: 'skill', q: 'honey bees hives', label: 'theory of beehive frames' },
  { type: 'skill', q: 'seaweed cultivation', label: 'plan, sow and harvest kelp lines' },
  { type: 'occupation', q: 'beekeeper', label: 'beehive frame builder' },
];

/**
 * The sample's near-twins: its "theory of" and "principles of" knowledge skills on one topic
 * differ in that one word of the label and alternative labels and share the description pattern.
 */
const TWINS = ['theory of kelp farming lines', 'principles of kelp farming lines'] as const;

type Asked = { status: number; body: Record<string, unknown>; hits: Hit[] };

async function ask(params: Params, on: SearchService = service): Promise<Asked> {
  const answer = await on.get(`/search?${query(params)}`);
  return { ...answer, hits: (answer.body.results ?? []) as Hit[] };
}

/** Lower-cased, split on anything but letters. */
function wordsOf(...texts: string[]): Set<string> {
  return new Set(texts.flatMap((t) => t.toLowerCase().split(/\P{L}+/u)).filter(Boolean));
}

function embeddedWords(c: Concept): Set<string> {
  return wordsOf(c.label, ...c.altLabels, c.description);
}

/** 1-based rank of the concept among the hits; 0 when absent. */
function rankOf(hits: Hit[], concept: Concept): number {
  return hits.findIndex((h) => h.uri === concept.uri) + 1;
}

function expectDistances(hits: Hit[]): number[] {
  for (const hit of hits) {
    expect(hit.distance, hit.label).toEqual(expect.any(Number));
    expect(hit, hit.label).not.toHaveProperty('score');
  }
  const distances = hits.map((h) => h.distance as number);
  expect(distances).toEqual([...distances].sort((a, b) => a - b));
  return distances;
}

function expectScores(hits: Hit[]): void {
  for (const hit of hits) {
    expect(hit.score, hit.label).toEqual(expect.any(Number));
    expect(hit.score, hit.label).toBeGreaterThanOrEqual(0);
    expect(hit.score, hit.label).toBeLessThanOrEqual(1);
    expect(hit, hit.label).not.toHaveProperty('distance');
  }
  const scores = hits.map((h) => h.score as number);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
}

const idOf = (uri: string) => uri.slice(uri.lastIndexOf('/') + 1);

it('Weaviate vectorizes with text2vec-transformers: every skill and occupation has a 384-dimension vector', async () => {
  expect(weaviate().vectorizer).toBe('text2vec-transformers');
  for (const type of ['skill', 'occupation'] as const) {
    const stored = await storedVectors(weaviate().url, type === 'skill' ? 'Skill' : 'Occupation');
    expect(stored.vectorizer, type).toBe('text2vec-transformers');
    expect(stored.lengths, type).toEqual(Array.from({ length: conceptsOf(sample, type).size }, () => DIMENSIONS));
  }
});

describe('the default ranking', () => {
  it('is hybrid with alpha 0.6, and hybrid hits carry a score', async () => {
    const { status, body, hits } = await ask({ q: 'honey bees hives' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'hybrid', alpha: 0.6 });
    expect(hits.length).toBeGreaterThan(0);
    expectScores(hits);
  });

  it('is vector with ESCO_SEARCH_MODE=vector: no alpha, and alpha alone is a 400', async () => {
    const { status, body, hits } = await ask({ q: 'honey bees hives' }, vectorByDefault);
    expect(status).toBe(200);
    expect(body.mode).toBe('vector');
    expect(body).not.toHaveProperty('alpha');
    expect(hits.length).toBeGreaterThan(0);
    expectDistances(hits);
    expect((await ask({ q: 'bees', mode: 'hybrid' }, vectorByDefault)).body).toMatchObject({ alpha: 0.6 });
    const refused = await ask({ q: 'bees', alpha: 0.3 }, vectorByDefault);
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([{ path: 'alpha', message: expect.stringContaining('add mode=hybrid') }]);
  });

  it('weighs alpha 0.8 with ESCO_SEARCH_ALPHA=0.8; an asked alpha still wins', async () => {
    const { status, body } = await ask({ q: 'honey bees hives' }, alphaByDefault);
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'hybrid', alpha: 0.8 });
    expect((await ask({ q: 'bees', alpha: 0.3 }, alphaByDefault)).body).toMatchObject({ mode: 'hybrid', alpha: 0.3 });
  });
});

describe('mode=vector', () => {
  it.each(BY_MEANING)('$type "$q" finds "$label" in its top 10 without sharing a word', async ({ type, q, label }) => {
    const concept = byLabel(conceptsOf(sample, type), label);
    expect([...wordsOf(q)].filter((w) => embeddedWords(concept).has(w))).toEqual([]);
    const { status, body, hits } = await ask({ q, type, mode: 'vector', limit: 10 });
    expect(status).toBe(200);
    expect(body.mode).toBe('vector');
    expect(body).not.toHaveProperty('alpha');
    const distances = expectDistances(hits);
    const rank = rankOf(hits, concept);
    console.info(`mode=vector "${q}" → "${label}": rank ${rank}, distance ${distances[rank - 1]?.toFixed(3)}`);
    expect(rank).toBeGreaterThan(0);
    expect(rank).toBeLessThanOrEqual(10);
  });
});

describe('mode=hybrid', () => {
  /**
   * Either every match fits in the limit, or the limit cuts between two different bm25 scores:
   * Weaviate's bm25 and hybrid paths order equal scores differently (skills "cider presses" with
   * limit 3 keep a different one of two tied concepts), so a cut inside a tie has no one answer.
   */
  const KEYWORDS: { type: ConceptType; q: string; limit: number }[] = [
    { type: 'skill', q: 'cider presses', limit: 100 },
    { type: 'skill', q: 'tune kelp farming lines', limit: 4 },
    { type: 'occupation', q: 'frame builder mixer', limit: 100 },
  ];

  it.each(KEYWORDS)('alpha=0 finds what mode=bm25 finds: $type "$q", limit $limit', async ({ type, q, limit }) => {
    const beyond = await ask({ q, type, mode: 'bm25', limit: limit + 1 });
    const scores = beyond.hits.map((h) => h.score as number);
    if (scores.length > limit) expect(scores[limit - 1]).toBeGreaterThan(scores[limit] as number);
    const bm25 = await ask({ q, type, mode: 'bm25', limit });
    const hybrid = await ask({ q, type, mode: 'hybrid', alpha: 0, limit });
    expect(hybrid.status).toBe(200);
    expect(hybrid.body).toMatchObject({ mode: 'hybrid', alpha: 0 });
    const uris = (a: Asked) => new Set(a.hits.map((h) => h.uri));
    expect(uris(bm25).size).toBeGreaterThan(0);
    expect(uris(hybrid)).toEqual(uris(bm25));
  });

  it.each(BY_MEANING)('alpha=1: $type "$q" finds "$label" in its top 10', async ({ type, q, label }) => {
    const concept = byLabel(conceptsOf(sample, type), label);
    const { status, body, hits } = await ask({ q, type, mode: 'hybrid', alpha: 1, limit: 10 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'hybrid', alpha: 1 });
    expectScores(hits);
    const rank = rankOf(hits, concept);
    console.info(`mode=hybrid alpha=1 "${q}" → "${label}": rank ${rank}`);
    expect(rank).toBeGreaterThan(0);
    expect(rank).toBeLessThanOrEqual(10);
  });

  it.each([0, 0.3, 0.5, 1])('alpha=%s is echoed; scores lie within 0..1, not increasing', async (alpha) => {
    const { status, body, hits } = await ask({ q: 'seaweed kelp lines', mode: 'hybrid', alpha, limit: 20 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'hybrid', alpha });
    expect(hits.length).toBeGreaterThan(0);
    expectScores(hits);
  });
});

describe.each(['vector', 'hybrid'] as const)('filters with mode=%s', (mode) => {
  const { search, expectFilter } = filterChecks(service, () => sample, { mode });

  async function expectFiltered(type: ConceptType, filter: Params, passes: (c: Concept) => boolean) {
    const found = await expectFilter(type, filter, passes);
    expect(found.body.mode).toBe(mode);
    if (mode === 'vector') expectDistances(found.body.results as Hit[]);
    else expectScores(found.body.results as Hit[]);
  }

  // A vector ranking has no cut-off, and Weaviate's HNSW search weighs at least 100 candidates
  // (dynamicEfMin), more than the sample holds: so "the unfiltered hits that pass" below is every
  // concept of the CSVs that passes, and no concept is left out by the keywords of the query.
  it('without a filter, limit 100 finds every skill and every occupation of the sample', async () => {
    for (const type of ['skill', 'occupation'] as const) {
      const concepts = conceptsOf(sample, type);
      const found = await search({ q: broadQuery(concepts.values()), type });
      expect(found.status).toBe(200);
      expect(found.uris, type).toEqual(new Set(concepts.keys()));
    }
  });

  it('skillType: only skills of that type', async () => {
    for (const skillType of SKILL_TYPES) {
      await expectFiltered('skill', { skillType }, (c) => c.columns.skillType === skillType);
    }
  });

  it('collection: members of that collection, or of any of several', async () => {
    await expectFiltered('skill', { collection: 'digitalSkills' }, inCollection('digitalSkills'));
    await expectFiltered('skill', { collection: 'greenSkills' }, inCollection('greenSkills'));
    const either = inCollection('digitalSkills', 'greenSkills');
    await expectFiltered('skill', { collection: 'digitalSkills,greenSkills' }, either);
    await expectFiltered('occupation', { collection: 'researchOccupations' }, inCollection('researchOccupations'));
  });

  it('isco: occupations whose ISCO group code starts with the digits', async () => {
    const prefixes = splittingIscoPrefixes(sample);
    expect(prefixes.length).toBeGreaterThan(1);
    for (const isco of prefixes) await expectFiltered('occupation', { isco }, iscoStartsWith(isco));
  });
});

describe('/similar', () => {
  const ROUTE: Record<ConceptType, string> = { skill: 'skills', occupation: 'occupations' };

  /** Other concepts of the same type, each once, nearest first, at a distance of 0 or more. */
  function expectNeighbours(body: Record<string, unknown>, type: ConceptType, concept: Concept) {
    const hits = body.results as Hit[];
    expect(body).toMatchObject({ type, concept: { uri: concept.uri, label: concept.label }, count: hits.length });
    const uris = hits.map((h) => h.uri);
    expect(uris).not.toContain(concept.uri);
    expect(new Set(uris).size).toBe(uris.length);
    for (const uri of uris) expect(conceptsOf(sample, type).has(uri), uri).toBe(true);
    for (const distance of expectDistances(hits)) expect(distance).toBeGreaterThanOrEqual(0);
  }

  it.each(['skill', 'occupation'] as const)(
    '%s: the nearest others of its type, by id or by the URL-encoded URI; 404 when unknown',
    async (type) => {
      const concepts = conceptsOf(sample, type);
      const concept = [...concepts.values()][0] as Concept;
      const path = `/${ROUTE[type]}/${idOf(concept.uri)}/similar`;
      const three = await service.get(`${path}?limit=3`);
      expect(three.status, JSON.stringify(three.body)).toBe(200);
      expect(three.body.count).toBe(3);
      expectNeighbours(three.body, type, concept);
      const byDefault = await service.get(path);
      expect(byDefault.status).toBe(200);
      expect(byDefault.body.count).toBe(Math.min(10, concepts.size - 1));
      expectNeighbours(byDefault.body, type, concept);
      const byUri = await service.get(`/${ROUTE[type]}/${encodeURIComponent(concept.uri)}/similar?limit=3`);
      expect(byUri.status).toBe(200);
      expect(byUri.body).toEqual(three.body);
      const unknown = await service.get(`/${ROUTE[type]}/00000000-0000-0000-0000-000000000000/similar`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: 'not_found' });
    },
  );

  it(`a skill has its near-twin among its 5 nearest ("${TWINS[0]}" → "${TWINS[1]}")`, async () => {
    const [concept, twin] = TWINS.map((label) => byLabel(sample.skills, label)) as [Concept, Concept];
    const [mine, theirs] = [embeddedWords(concept), embeddedWords(twin)];
    const differ = [...mine].filter((w) => !theirs.has(w)).concat([...theirs].filter((w) => !mine.has(w)));
    expect(differ.sort()).toEqual(['principles', 'theory']);
    const { status, body } = await service.get(`/skills/${idOf(concept.uri)}/similar?limit=5`);
    expect(status).toBe(200);
    expectNeighbours(body, 'skill', concept);
    const hits = body.results as Hit[];
    const rank = rankOf(hits, twin);
    console.info(`/skills/…/similar "${TWINS[0]}" → "${TWINS[1]}": rank ${rank}, distance ${hits[rank - 1]?.distance}`);
    expect(rank).toBeGreaterThan(0);
    expect(rank).toBeLessThanOrEqual(5);
  });
});
