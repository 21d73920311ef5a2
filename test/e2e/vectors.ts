/**
 * What the vectorizer adds, checked against the running stack: every skill and occupation
 * carries a vector of the model's size, and esco-search finds a concept by meaning where no word
 * matches. On the BM25-only stack: search says bm25 and refuses vector rankings.
 */
import assert from 'node:assert/strict';
import { json } from './checks.ts';
import type { Stack } from './stack.ts';
import type { Truth } from './truth.ts';

/** all-MiniLM-L6-v2's sentence vectors. */
export const MODEL_DIMENSIONS = 384;

/**
 * A query and the sample skill it means (data/sample is made up, see its README): beekeeping,
 * said with words that none of the skill's texts uses ("bee" is not "beehive").
 */
export const MEANING_PROBE = { query: 'bee keeping', skillLabel: 'inspect beehive frames' };

interface SearchAnswer {
  mode: string;
  results: { uri: string; label: string; distance?: number | null }[];
}

/** Every Skill and Occupation object has a finite, non-zero vector of MODEL_DIMENSIONS numbers. */
export async function checkVectors(stack: Stack, truth: Truth): Promise<void> {
  const expected: [string, number][] = [
    ['Skill', truth.skills.size],
    ['Occupation', truth.occupations.size],
  ];
  for (const [name, count] of expected) {
    let seen = 0;
    for await (const { uuid, vector } of vectorsOf(stack, name)) {
      seen++;
      assert.equal(vector?.length, MODEL_DIMENSIONS, `${name} ${uuid}: vector of ${vector?.length ?? 'no'} numbers`);
      const norm = Math.hypot(...vector);
      assert.ok(Number.isFinite(norm) && norm > 0, `${name} ${uuid}: vector norm ${norm}`);
    }
    assert.equal(seen, count, `${name}: ${seen} objects read with vectors, ${count} in the CSV`);
  }
}

async function* vectorsOf(stack: Stack, name: string): AsyncGenerator<{ uuid: string; vector: number[] }> {
  const collection = (await stack.weaviate()).collections.use(name);
  let after: string | undefined;
  for (;;) {
    const page = await collection.query.fetchObjects({
      limit: 500,
      after,
      includeVector: true,
      returnProperties: ['conceptUri'],
    });
    for (const o of page.objects) {
      const vector = (o.vectors as Record<string, unknown>).default;
      yield { uuid: o.uuid, vector: Array.isArray(vector) ? (vector as number[]) : [] };
    }
    const last = page.objects.at(-1);
    if (!last || page.objects.length < 500) return;
    after = last.uuid;
  }
}

/**
 * `mode=vector` finds the probe skill in its top 10 although the query shares no word with any
 * of the skill's texts (checked here, tokenized as Weaviate's `word` tokenization does), and
 * `mode=bm25` does not find it: the match is the model's. Returns the skill's rank.
 */
export async function checkSearchByMeaning(stack: Stack, truth: Truth): Promise<number> {
  const { query, skillLabel } = MEANING_PROBE;
  const uri = [...truth.skills].find(([, label]) => label === skillLabel)?.[0];
  assert.ok(uri, `the dataset has no skill labelled "${skillLabel}"`);
  const shared = words(query).filter((w) => words(truth.skillTexts.get(uri) ?? '').includes(w));
  assert.deepEqual(shared, [], `"${query}" shares words with the texts of "${skillLabel}"`);
  const q = encodeURIComponent(query);
  const byMeaning = (await json(stack, `/search?mode=vector&limit=10&q=${q}`)) as SearchAnswer;
  assert.equal(byMeaning.mode, 'vector');
  const rank = byMeaning.results.findIndex((hit) => hit.uri === uri) + 1;
  const top = byMeaning.results.map((hit) => hit.label).join(', ');
  assert.ok(rank > 0, `mode=vector "${query}": "${skillLabel}" is not in the top 10: ${top}`);
  const byWords = (await json(stack, `/search?mode=bm25&limit=10&q=${q}`)) as SearchAnswer;
  assert.ok(!byWords.results.some((hit) => hit.uri === uri), `mode=bm25 "${query}" found "${skillLabel}" by its words`);
  return rank;
}

/** Lower-cased runs of letters and digits, as Weaviate's `word` tokenization splits text. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Without the vectorizer: search ranks by BM25 and says so; vector rankings are refused. */
export async function checkBm25Only(stack: Stack, truth: Truth): Promise<void> {
  const label = truth.skills.values().next().value ?? '';
  const answer = (await json(stack, `/search?q=${encodeURIComponent(label)}`)) as SearchAnswer;
  assert.equal(answer.mode, 'bm25', `default search mode without vectors: ${answer.mode}`);
  const vector = await stack.search(`/search?mode=vector&q=${encodeURIComponent(label)}`);
  assert.equal(vector.status, 400, `mode=vector without vectors: ${vector.status} ${await vector.text()}`);
  const [uri = ''] = truth.skills.keys();
  const similar = await stack.search(`/skills/${uri.slice(uri.lastIndexOf('/') + 1)}/similar`);
  const body = await similar.text();
  assert.equal(similar.status, 409, `/similar without vectors: ${similar.status} ${body}`);
  assert.match(body, /no_vectors/);
}
