/**
 * The HTTP service's answers that need no Weaviate (src/http/server.ts, src/admin/routes.ts), over
 * fakes: what the admin API accepts as a body, and how a failed query is answered and counted.
 * The same routes against a real Weaviate: test/admin/admin.int.test.ts, test/search/*.int.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminRuns } from '../../src/admin/runs.ts';
import { ApiKeys } from '../../src/auth/api-keys.ts';
import { buildServer } from '../../src/http/server.ts';
import { WeaviateGate } from '../../src/http/weaviate-gate.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { GenerationPin } from '../../src/search/generation-pin.ts';
import type { SearchQueries } from '../../src/search/queries.ts';
import type { StatusStore } from '../../src/status/status-store.ts';
import { sample } from '../metrics/exposition.ts';

const apps: ReturnType<typeof buildServer>[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const ADMIN_SECRET = 'admin-secret-0123456789';

/** A service whose search queries throw `failure`, and whose admin API accepts every run. */
function service(failure: unknown = new Error('no query expected')) {
  const metrics = new Metrics({ processMetrics: false });
  const submitted: unknown[] = [];
  const queries = {
    hasVectors: async () => Promise.reject(failure),
  } as unknown as SearchQueries;
  const runs = {
    current: null,
    submit: async (request: unknown) => {
      submitted.push(request);
      return { kind: 'accepted', runId: 'r1', replayed: false };
    },
  } as unknown as AdminRuns;
  const app = buildServer({
    search: { queries, defaults: { mode: 'bm25', alpha: 0.5 }, pin: new GenerationPin(async () => null) },
    readiness: async () => ({ ready: true, state: 'completed' }),
    keys: new ApiKeys({ reader: [], monitor: [], admin: [{ name: 'ops', secret: ADMIN_SECRET }] }),
    rateLimitPerMinute: 0,
    saturation: { maxEventLoopDelayMs: 0 },
    metrics,
    admin: {
      runs,
      statusStore: {} as StatusStore,
      lock: { observe: async () => Promise.reject(new Error('no lease expected')) },
      datasetKey: 'esco',
      retryAfterSeconds: 10,
    },
    retryAfterSeconds: 10,
    gate: new WeaviateGate(async () => null),
    log: silentLogger(),
  });
  apps.push(app);
  const inferenceErrors = async () =>
    sample(await metrics.render(), 'esco_inference_errors_total{source="search"}') ?? Number.NaN;
  return { app, submitted, inferenceErrors };
}

const post = (body: string, contentType: string) => ({
  method: 'POST' as const,
  url: '/admin/ingest',
  headers: { 'content-type': contentType, authorization: `Bearer ${ADMIN_SECRET}` },
  body,
});

describe('POST /admin/ingest bodies', () => {
  it('answers 415 unsupported_media_type to a text/plain body (README: JSON only), and starts no run', async () => {
    const { app, submitted } = service();
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8']) {
      const reply = await app.inject(post('{"force":true}', contentType));
      expect(reply.statusCode, contentType).toBe(415);
      expect(reply.json(), contentType).toMatchObject({ error: 'unsupported_media_type' });
    }
    expect(submitted).toEqual([]);
  });

  it('accepts the same body as JSON (202), and still answers 400 to JSON of the wrong shape', async () => {
    const { app, submitted } = service();
    const accepted = await app.inject(post('{"force":true}', 'application/json'));
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({ runId: 'r1', state: 'queued', force: true });
    expect(submitted).toEqual([{ force: true, by: 'ops', idempotencyKey: null }]);
    const wrong = await app.inject(post('{"force":"yes"}', 'application/json'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'bad_request' });
  });
});

/** What weaviate-client throws for a gRPC query that failed (its class is not exported). */
function queryError(status: string, details: string): Error {
  const error = new Error(
    `Query call with protocol gRPC failed with message: /weaviate.v1.Weaviate/Search ${status}: ${details}`,
  );
  error.name = 'WeaviateQueryError';
  return error;
}

describe('a failed search query', () => {
  const search = '/search?q=cider&mode=bm25';

  it('is counted as an inference error when Weaviate says its vectorizer failed (502)', async () => {
    const failure = queryError(
      'UNKNOWN',
      'vectorize params: remote client vectorize: send POST request: Post "http://t2v:8080/vectors": connect: connection refused',
    );
    const { app, inferenceErrors } = service(failure);
    const reply = await app.inject(search);
    expect(reply.statusCode).toBe(502);
    expect(reply.json()).toMatchObject({ error: 'upstream_failed' });
    expect(await inferenceErrors()).toBe(1);
  });

  it('answers 503 with Retry-After when Weaviate did not answer, and counts no inference error', async () => {
    const { app, inferenceErrors } = service(queryError('UNAVAILABLE', 'No connection established'));
    const reply = await app.inject(search);
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('10');
    expect(reply.json()).toMatchObject({ error: 'upstream_unavailable' });
    expect(await inferenceErrors()).toBe(0);
  });

  it("counts nothing for our own wording about vectors, nor another of Weaviate's failures (502)", async () => {
    for (const failure of [
      new Error('the vectorizer is not answering'),
      queryError('UNKNOWN', 'invalid filter: no such prop with name "x"'),
    ]) {
      const { app, inferenceErrors } = service(failure);
      const reply = await app.inject(search);
      expect(reply.statusCode).toBe(502);
      expect(await inferenceErrors()).toBe(0);
    }
  });
});
