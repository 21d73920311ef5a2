/**
 * The HTTP service (`esco-init serve`): a small fastify app with the search routes, `/healthz`,
 * `/metrics` and, when admin keys are configured, the operator API. It holds no state of its own
 * beyond the run it started: Weaviate is the store, and the ingestion status record there names
 * the generation every request reads and decides whether the service reports itself healthy.
 *
 *   /healthz                open (the orchestrator's health check)
 *   /search, /skills/…      role reader (open while no reader key is configured), rate limited
 *   /metrics                role monitor (open while no monitor key is configured)
 *   /admin/…                role admin (absent while no admin key is configured)
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AdminDeps } from '../admin/routes.ts';
import { registerAdminRoutes } from '../admin/routes.ts';
import type { ApiKeys } from '../auth/api-keys.ts';
import { authorize, callerOf } from '../auth/guard.ts';
import { registerRateLimit } from '../auth/rate-limit.ts';
import { BadRequest, tryLater } from '../http-errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { registerMetrics } from '../metrics/route.ts';
import type { GenerationPin } from '../search/generation-pin.ts';
import { answeredFrom, GENERATION_HEADER, type Readiness, type RouteDeps, registerRoutes } from '../search/routes.ts';
import { failureKind } from '../weaviate/failure.ts';
import { registerSaturation, type SaturationLimits } from './saturation.ts';
import { gateHandler, type WeaviateGate } from './weaviate-gate.ts';

export interface ServerDeps {
  search: RouteDeps;
  readiness(): Promise<Readiness>;
  keys: ApiKeys;
  /** Search requests per caller per minute (0: no limit). */
  rateLimitPerMinute: number;
  /** When the process counts as saturated (503 on every route). */
  saturation: SaturationLimits;
  metrics: Metrics;
  /** The operator API; absent when no admin key is configured. */
  admin?: Omit<AdminDeps, 'guard' | 'callerName' | 'log'>;
  /** What a 503 asks callers to wait. */
  retryAfterSeconds: number;
  /** Answers 503 at once while Weaviate is down. */
  gate: WeaviateGate;
  log: Logger;
}

/** No route takes more than a small JSON body; the admin POST sets its own, smaller limit. */
const BODY_LIMIT = 16 * 1024;

export function buildServer(deps: ServerDeps): FastifyInstance {
  // Our pino logger, not fastify's: one line per request from the hook below.
  const app = Fastify({ logger: false, return503OnClosing: true, bodyLimit: BODY_LIMIT });
  app.addHook('onResponse', async (request, reply) => {
    const ms = Math.round(reply.elapsedTime);
    const who = callerOf(request)?.name;
    deps.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms, who }, 'request');
  });
  app.setErrorHandler(async (error, request, reply) => errorAnswer(deps, error, request, reply));
  registerSaturation(app, deps.saturation, deps.retryAfterSeconds);
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  registerMetrics(app, deps.metrics, authorize(deps.keys, 'monitor'));
  app.get('/healthz', async (_request, reply) => {
    const problem = await deps.gate.problem();
    if (problem) return reply.code(503).send({ ready: false, state: 'unknown', error: problem });
    const readiness = await deps.readiness();
    if (typeof readiness.generation === 'number') reply.header(GENERATION_HEADER, String(readiness.generation));
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  const limit = registerRateLimit(app, deps.rateLimitPerMinute);
  const gate = gateHandler(deps.gate, deps.retryAfterSeconds);
  app.register(async (search) => {
    search.addHook('preHandler', authorize(deps.keys, 'reader'));
    search.addHook('preHandler', limit);
    search.addHook('preHandler', gate);
    registerRoutes(search, deps.search);
  });
  if (deps.admin) {
    const callerName = (request: FastifyRequest) => callerOf(request)?.name ?? 'unauthenticated';
    const guard = [authorize(deps.keys, 'admin'), gate];
    registerAdminRoutes(app, { ...deps.admin, guard, callerName, log: deps.log });
  }
  return app;
}

const CLIENT_ERRORS: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' };

async function errorAnswer(deps: ServerDeps, error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const from = answeredFrom(request, reply);
  if (error instanceof BadRequest) {
    return reply.code(400).send({ error: 'bad_request', message: error.message, issues: error.issues, ...from });
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const name = CLIENT_ERRORS[status] ?? 'bad_request';
    return reply.code(status).send({ error: name, message: (error as Error).message, ...from });
  }
  deps.log.error({ err: error, url: request.url, ...from }, 'request failed');
  const kind = failureKind(error);
  if (kind === 'vectorizer') deps.metrics.inferenceError('search');
  // Weaviate gone (refused, reset, gRPC unavailable): a retry later may succeed, so say when.
  if (kind === 'unavailable') {
    const message = `Weaviate is unreachable: ${(error as Error).message}`;
    return tryLater(reply, {
      error: 'upstream_unavailable',
      message,
      retryAfterSeconds: deps.retryAfterSeconds,
      ...from,
    });
  }
  return reply
    .code(502)
    .send({ error: 'upstream_failed', message: `Weaviate query failed: ${(error as Error).message}`, ...from });
}

/**
 * Ready once requests have a generation to read: the status record names a published generation
 * (complete and verified, also while the next one is being built), or, for data written before
 * generations, says completed. The status is read afresh (which refreshes the pin): a health check
 * after `init` exited sees what it published. A failed read is "not ready" (503 with the reason),
 * never an exception: the health check must answer.
 */
export function pinReadiness(pin: GenerationPin, datasetKey: string): () => Promise<Readiness> {
  return async () => {
    try {
      const { status, generation, fingerprint } = await pin.refresh();
      if (!status) return { ready: false, state: 'not_started', datasetKey, generation };
      const record = status.generations.find((g) => g.id === generation);
      return {
        ready: generation !== null || status.state === 'completed',
        state: status.state,
        datasetKey,
        generation,
        fingerprint,
        completedAt: record?.completedAt ?? status.completedAt,
        counts: record?.counts ?? status.counts,
      };
    } catch (error) {
      return { ready: false, state: 'unknown', datasetKey, error: (error as Error).message };
    }
  };
}
