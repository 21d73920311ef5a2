import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.ts';
import { registerMetrics } from '../../src/metrics/route.ts';
import { sample, samples } from './exposition.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function appWith(metrics: Metrics, preHandler?: Parameters<typeof registerMetrics>[2]): FastifyInstance {
  const app = Fastify({ logger: false });
  apps.push(app);
  // Routes before and after registerMetrics: the hook sees both.
  app.get('/skills/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  registerMetrics(app, metrics, preHandler);
  app.get('/search', async (_request, reply) => reply.code(400).send({ error: 'bad_request' }));
  return app;
}

const DURATION = 'esco_http_request_duration_seconds';

describe('GET /metrics', () => {
  it('answers the text format and labels requests by route pattern, never by URL', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const app = appWith(metrics);
    for (const id of ['abc', 'def', 'ghi']) expect((await app.inject(`/skills/${id}`)).statusCode).toBe(200);
    expect((await app.inject('/search?q=x')).statusCode).toBe(400);
    expect((await app.inject('/no/such/path')).statusCode).toBe(404);
    await app.inject('/metrics');

    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = response.body;
    expect(sample(text, `${DURATION}_count{route="/skills/:id",status="200"}`)).toBe(3);
    expect(sample(text, `${DURATION}_bucket{le="+Inf",route="/skills/:id",status="200"}`)).toBe(3);
    expect(sample(text, `${DURATION}_count{route="/search",status="400"}`)).toBe(1);
    expect(sample(text, `${DURATION}_count{route="unmatched",status="404"}`)).toBe(1);
    const routes = new Set(samples(text, DURATION).map((line) => /route="([^"]*)"/.exec(line)?.[1]));
    expect([...routes].sort()).toEqual(['/search', '/skills/:id', 'unmatched']);
  });

  it('still answers 200 when the metadata readers fail', async () => {
    const down = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const metrics = new Metrics({ readers: { lease: down, status: down }, processMetrics: false });
    const response = await appWith(metrics).inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(sample(response.body, 'esco_metadata_read_errors_total{reader="lease"}')).toBe(1);
    expect(sample(response.body, 'esco_metadata_read_errors_total{reader="status"}')).toBe(1);
  });

  it('runs the given preHandler first (the auth guard)', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const app = appWith(metrics, async (request, reply) => {
      if (request.headers.authorization !== 'Bearer monitor-key') await reply.code(401).send({ error: 'unauthorized' });
    });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const allowed = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer monitor-key' } });
    expect(allowed.statusCode).toBe(200);
    expect(samples(allowed.body, `${DURATION}`)).toEqual([]);
  });
});
