/**
 * The inference service (inference/server.py) over HTTP, as Weaviate's text2vec-transformers
 * module talks to it (weaviate usecases/modulecomponents/clients/transformers): readiness, meta,
 * one text per POST /vectors with the module's exact request body, its error shapes, and many
 * requests at once batched inside the service with the same vectors as one by one. The vectors
 * themselves are checked against sentence-transformers' (inference/golden.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalInference, startInference } from '../support/inference.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const golden = JSON.parse(readFileSync(path.join(ROOT, 'inference/golden.json'), 'utf8')) as {
  texts: { text: string; vector: number[] }[];
};

let service: LocalInference;

beforeAll(async () => {
  service = await startInference({ runtime: 'fp32' });
}, 600_000);

afterAll(async () => {
  await service?.stop();
});

/** The body Weaviate's module sends (Go's zero values included: no omitempty on them). */
function moduleBody(text: string, task: 'passage' | 'query' = 'passage'): string {
  return JSON.stringify({
    text,
    dims: 0,
    vector: null,
    error: '',
    config: { pooling_strategy: 'masked_mean', task_type: task },
  });
}

async function vectorize(body: string) {
  const res = await fetch(`${service.url}/vectors`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return {
    status: res.status,
    body: (await res.json()) as { text?: string; vector?: number[]; dim?: number; error?: string },
  };
}

const maxDifference = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - (b[i] ?? Number.NaN))));

describe('the inference service, as the module talks to it', () => {
  it('answers live and ready with 204, and meta with the model config Weaviate relays', async () => {
    for (const p of ['/.well-known/live', '/.well-known/ready'])
      expect((await fetch(service.url + p)).status).toBe(204);
    const meta = (await (await fetch(`${service.url}/meta`)).json()) as {
      model: { hidden_size: number };
      name: string;
    };
    expect(meta.model.hidden_size).toBe(384);
    expect(meta.name).toBe('sentence-transformers/all-MiniLM-L6-v2');
  });

  it('returns sentence-transformers’ vector for each golden text, for passages and queries alike', async () => {
    for (const entry of golden.texts) {
      for (const task of ['passage', 'query'] as const) {
        const { status, body } = await vectorize(moduleBody(entry.text, task));
        expect(status).toBe(200);
        expect(body).toMatchObject({ text: entry.text, dim: 384 });
        expect(maxDifference(body.vector ?? [], entry.vector), entry.text.slice(0, 30)).toBeLessThan(1e-5);
      }
    }
  });

  it('gives 64 requests at once the same vectors as one by one, in fewer model calls', async () => {
    const texts = golden.texts.map((e) => e.text).concat(Array.from({ length: 50 }, (_, i) => `skill number ${i}`));
    const single: number[][] = [];
    for (const text of texts) single.push((await vectorize(moduleBody(text))).body.vector ?? []);
    const before = await service.stats();
    const together = await Promise.all(
      texts.map(async (text) => (await vectorize(moduleBody(text))).body.vector ?? []),
    );
    const after = await service.stats();
    for (const [i, vector] of together.entries()) expect(maxDifference(vector, single[i] ?? [])).toBeLessThan(1e-5);
    expect(after.requests - before.requests).toBe(texts.length);
    expect(after.batches - before.batches).toBeLessThan(texts.length);
  });

  it('answers a bad body with 422 and an unknown pooling strategy with 500, each with an error the module reads', async () => {
    const bad = await vectorize('{"config": {}}');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatch(/text/);
    const pooling = await vectorize(JSON.stringify({ text: 'x', config: { pooling_strategy: 'max' } }));
    expect(pooling.status).toBe(500);
    expect(pooling.body.error).toBe("invalid pooling method 'max'");
  });
});

describe('the runtime the service chooses by default (auto), as docker compose starts it', () => {
  let auto: LocalInference;
  beforeAll(async () => {
    auto = await startInference();
  }, 600_000);
  afterAll(async () => {
    await auto?.stop();
  });

  it('says in /meta which runtime it runs, why, and on which CPU, and serves vectors of that runtime', async () => {
    const meta = await auto.meta();
    expect(['int8', 'fp32']).toContain(meta.runtime);
    expect(meta.runtime_choice.requested).toBe('auto');
    expect(meta.runtime_choice.int8_min_cosine).toBeGreaterThan(0.98);
    expect(meta.runtime_choice.reason).toMatch(meta.runtime === 'int8' ? /int8 is [\d.]+x fp32/ : /int8 is only/);
    expect(meta.cpu.model).not.toBe('');
    expect(meta.engine).toContain(meta.runtime);
    expect(auto.logTail(50)).toContain(`runtime ${meta.runtime} (auto): ${meta.runtime_choice.reason}`);
    // One at a time: int8 quantizes activations per batch, so company could move a vector a little.
    const cosines: number[] = [];
    for (const { text, vector: expected } of golden.texts) {
      const res = await fetch(`${auto.url}/vectors`, { method: 'POST', body: moduleBody(text) });
      const { vector } = (await res.json()) as { vector: number[] };
      cosines.push(vector.reduce((sum, x, j) => sum + x * (expected[j] ?? Number.NaN), 0));
    }
    if (meta.runtime === 'fp32') expect(Math.min(...cosines)).toBeGreaterThan(1 - 1e-5);
    else expect(Math.min(...cosines)).toBeCloseTo(meta.runtime_choice.int8_min_cosine ?? 0, 3);
  });
});
