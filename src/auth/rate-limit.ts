/**
 * Requests per caller per minute, counted by @fastify/rate-limit's store. Routes opt in with the
 * preHandler `registerRateLimit` returns, placed after `authorize` so the count is per API key
 * name when the route is guarded, else per client address; all routes given it share one budget.
 *
 * Why a preHandler that replies, not the plugin's `config: { rateLimit }`: the plugin's route hook
 * throws its 429 into the app's error handler, and the search service's (server.ts) turns every
 * 4xx it is thrown into `bad_request`. Replying here keeps the 429 ours whatever the handler does.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { callerOf } from './guard.ts';

const WINDOW_MS = 60_000;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Registers the plugin on `app` (no route limited unless given the returned preHandler) and
 * returns that preHandler; `perMinute` 0 registers nothing and the preHandler lets all through.
 */
export function registerRateLimit(app: FastifyInstance, perMinute: number): preHandlerAsyncHookHandler {
  if (perMinute === 0) return async () => {};
  app.register(rateLimit, { global: false, max: perMinute, timeWindow: WINDOW_MS, keyGenerator: keyOf });
  // The plugin's decorator exists once the app has loaded its plugins, i.e. by the first request.
  let limiter: Limiter | undefined;
  return async (request, reply) => {
    limiter ??= app.createRateLimit();
    const verdict = await limiter(request);
    if (verdict.isAllowed) return; // only callers on an allow list, and there is none
    reply.header('x-ratelimit-limit', verdict.max);
    reply.header('x-ratelimit-remaining', verdict.remaining);
    reply.header('x-ratelimit-reset', verdict.ttlInSeconds);
    if (verdict.isExceeded) return tooMany(reply, verdict.max, verdict.ttlInSeconds);
  };
}

/** The caller's key name when `authorize` admitted one, else the client address; prefixed so they never meet. */
function keyOf(request: FastifyRequest): string {
  const caller = callerOf(request);
  return caller ? `key:${caller.name}` : `ip:${request.ip}`;
}

function tooMany(reply: FastifyReply, perMinute: number, retryAfterSeconds: number): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', retryAfterSeconds)
    .send({
      error: 'rate_limited',
      message: `too many requests: at most ${perMinute} a minute per caller; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    });
}
