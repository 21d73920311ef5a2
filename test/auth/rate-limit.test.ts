import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../src/auth/api-keys.ts';
import { authorize, callerOf } from '../../src/auth/guard.ts';
import { registerRateLimit } from '../../src/auth/rate-limit.ts';
import type { Config } from '../../src/config/config.ts';
import { ALL_KEYS, bearer, NO_KEYS, SECRETS } from './fixtures.ts';

const TWO_READERS: Config['auth'] = {
  ...NO_KEYS,
  reader: [...ALL_KEYS.reader, { name: 'second-app', secret: 'second-reader-secret-0123456789' }],
};

let app: FastifyInstance;
afterEach(async () => {
  await app.close();
});

interface Answered {
  status: number;
  ms: number;
}

/**
 * A search-like app: one reader route limited after `authorize`, one route not limited, and an
 * error handler and request log shaped like src/search/server.ts's (4xx thrown → bad_request,
 * anything else → 502), so a 429 that went through it would show.
 */
function limitedApp(auth: Config['auth'], perMinute: number, answered: Answered[] = []): FastifyInstance {
  const keys = new ApiKeys(auth);
  const server = Fastify({ logger: false });
  server.addHook('onResponse', async (_request, reply) => {
    answered.push({ status: reply.statusCode, ms: reply.elapsedTime });
  });
  server.setErrorHandler(serverLikeErrorHandler);
  const limit = registerRateLimit(server, perMinute);
  server.get('/search', { preHandler: [authorize(keys, 'reader'), limit] }, async (request) => ({
    caller: callerOf(request)?.name ?? null,
  }));
  server.get('/unlimited', async () => ({ ok: true }));
  return server;
}

async function serverLikeErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send({ error: 'bad_request', message: error.message });
  }
  return reply.code(502).send({ error: 'upstream_failed', message: `Weaviate query failed: ${error.message}` });
}

async function search(authorization?: string, remoteAddress = '127.0.0.1') {
  return app.inject({ url: '/search', remoteAddress, headers: authorization ? { authorization } : {} });
}

describe('registerRateLimit', () => {
  it('answers 429 with Retry-After and its JSON after the limit, through a server.ts-like error handler', async () => {
    const answered: Answered[] = [];
    app = limitedApp(NO_KEYS, 3, answered);
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const ok = await search();
      statuses.push(ok.statusCode);
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await search();
    expect([...statuses, limited.statusCode]).toEqual([200, 200, 200, 429]);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toEqual({
      error: 'rate_limited',
      message: `too many requests: at most 3 a minute per caller; retry in ${retryAfter} s`,
      retryAfterSeconds: retryAfter,
    });
    // The request log still sees the 429 and how long it took.
    expect(answered.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    for (const { ms } of answered) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    // Routes not given the preHandler are not counted.
    expect((await app.inject('/unlimited')).statusCode).toBe(200);
  });

  it('counts per API key name on a guarded route, and per client address on an open one', async () => {
    app = limitedApp(TWO_READERS, 1);
    expect((await search(bearer(SECRETS.reader))).statusCode).toBe(200);
    expect((await search(bearer(SECRETS.reader))).statusCode).toBe(429);
    expect((await search(bearer('second-reader-secret-0123456789'))).json()).toEqual({ caller: 'second-app' });
    await app.close();

    app = limitedApp(NO_KEYS, 1);
    expect((await search(undefined, '10.0.0.1')).statusCode).toBe(200);
    expect((await search(undefined, '10.0.0.1')).statusCode).toBe(429);
    expect((await search(undefined, '10.0.0.2')).statusCode).toBe(200);
  });

  it('counts a key by its name, not by the address it comes from', async () => {
    app = limitedApp(TWO_READERS, 1);
    expect((await search(bearer(SECRETS.reader), '10.0.0.1')).statusCode).toBe(200);
    expect((await search(bearer(SECRETS.reader), '10.0.0.2')).statusCode).toBe(429);
  });

  it('limits nothing and registers no plugin when the limit is 0', async () => {
    app = limitedApp(NO_KEYS, 0);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await search()).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect((await search()).headers['x-ratelimit-limit']).toBeUndefined();
    expect(app.hasDecorator('createRateLimit')).toBe(false);
  });
});

describe("@fastify/rate-limit's own route hook (why registerRateLimit replies itself)", () => {
  it('throws its 429 into the error handler, which server.ts turns into bad_request', async () => {
    app = Fastify({ logger: false });
    app.setErrorHandler(serverLikeErrorHandler);
    await app.register(rateLimit, { global: false, max: 1, timeWindow: 60_000 });
    app.get('/search', { config: { rateLimit: {} } }, async () => ({ ok: true }));
    expect((await app.inject('/search')).statusCode).toBe(200);
    const limited = await app.inject('/search');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('bad_request');
  });
});
