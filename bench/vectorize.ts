/**
 * The `vectorize-ceiling` scenario: what the inference service alone can do. Every text Weaviate's
 * text2vec-transformers module would send for the dataset, built the way the module builds it, sent
 * straight to the service's `POST /vectors` one text per request (as the module sends them), at
 * the concurrency that is fastest. No Weaviate, no esco-init: the limit a vectorized ingest can
 * approach, measured in the same bench run as the ingest it is compared with.
 */

import type { LocalInference } from '../scripts/local/inference.ts';
import { forEachChunk } from '../src/chunks.ts';
import { openDataset } from '../src/esco/open.ts';
import { buildPlan, propertiesOf } from '../src/ingest/plan.ts';
import { loadSchemas } from '../src/weaviate/schema.ts';
import type { ScenarioResult } from './scenarios.ts';

/** Concurrencies tried on a spread sample of the texts; the fastest then sends all of them. */
const TRIED = [1, 4, 8, 16, 32, 64, 128];
const PROBE_TEXTS = 1500;

/**
 * The module's text for each vectorized object (weaviate usecases/modulecomponents/vectorizer,
 * object_texts.go): the vectorized properties in name order, each string (or each element of a
 * string list) as it is, joined by single spaces; class and property names left out as our
 * schemas configure it (vectorizeClassName false, vectorizePropertyName false by default).
 */
export async function vectorizerTexts(data: readonly string[]): Promise<string[]> {
  const definitions = loadSchemas({ vectorizer: 'text2vec-transformers' });
  const dataset = await openDataset(data, { language: 'en', policy: 'strict', maxRejected: 0 });
  const plan = await buildPlan(dataset, { definitions });
  const texts: string[] = [];
  for (const collection of plan.collections) {
    const def = definitions.collections.find((c) => c.name === collection.name);
    const names = [...(def?.vectorizedProperties ?? [])].sort();
    if (names.length === 0) continue;
    for (const o of collection.objects) {
      const p = propertiesOf(o);
      const text = names.flatMap((n) => [p[n] ?? []].flat().map(String)).join(' ');
      if (text.length > 0) texts.push(text);
    }
  }
  return texts;
}

async function sendAll(url: string, texts: readonly string[], concurrency: number): Promise<number> {
  const started = performance.now();
  await forEachChunk(texts, { batchSize: 1, concurrency, checkpoint: async () => {} }, async ([text]) => {
    const res = await fetch(`${url}/vectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, config: { pooling_strategy: 'masked_mean', task_type: 'passage' } }),
    });
    const body = (await res.json()) as { vector?: number[] };
    if (!res.ok || body.vector?.length !== 384) throw new Error(`POST /vectors: HTTP ${res.status}`);
  });
  return performance.now() - started;
}

export async function vectorizeCeiling(inference: LocalInference, data: readonly string[]): Promise<ScenarioResult> {
  const texts = await vectorizerTexts(data);
  const step = Math.max(1, Math.floor(texts.length / PROBE_TEXTS));
  const probe = texts.filter((_, i) => i % step === 0).slice(0, PROBE_TEXTS);
  const rates: Record<number, number> = {};
  for (const concurrency of TRIED) {
    rates[concurrency] = Math.round(probe.length / ((await sendAll(inference.url, probe, concurrency)) / 1000));
    console.error(`bench: vectorize-ceiling probe, concurrency ${concurrency}: ${rates[concurrency]} texts/s`);
  }
  const best = TRIED.reduce((a, b) => ((rates[b] ?? 0) > (rates[a] ?? 0) ? b : a));
  const before = (await inference.stats()).requests;
  const ms = await sendAll(inference.url, texts, best);
  const calls = (await inference.stats()).requests - before;
  const probes = TRIED.map((c) => `${c}: ${rates[c]}/s`).join(', ');
  return {
    scenario: 'vectorize-ceiling',
    ms,
    objects: texts.length,
    writes: 0,
    deleted: 0,
    calls,
    vectorized: texts.length,
    note: `every text straight to POST /vectors, ${best} in flight (probe of ${probe.length} texts by concurrency: ${probes})`,
  };
}
