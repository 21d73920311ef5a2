/**
 * The search service: a small fastify app over the ingested ESCO data (`esco-init serve`).
 * It holds no state of its own; Weaviate is the store and the ingestion status record there
 * names the generation every request reads and decides whether the service reports itself healthy.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log.ts';
import { BadRequest } from './errors.ts';
import type { GenerationPin } from '../search/generation-pin.ts';
import { answeredFrom, type RouteDeps, registerRoutes } from '../search/routes.ts';

export interface ServerDeps extends RouteDeps {
  log: Logger;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  // Our pino logger, not fastify's: one line per request from the hook below.
  const app = Fastify({ logger: false, return503OnClosing: true });
  app.addHook('onResponse', async (request, reply) => {
    const ms = Math.round(reply.elapsedTime);
    deps.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms }, 'request');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const from = answeredFrom(request, reply);
    if (error instanceof BadRequest) {
      return reply.code(400).send({ error: 'bad_request', message: error.message, issues: error.issues, ...from });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: (error as Error).message, ...from });
    }
    // Weaviate failed or is gone: say so, and keep the details in the log.
    deps.log.error({ err: error, url: request.url, ...from }, 'request failed');
    return reply
      .code(502)
      .send({ error: 'upstream_failed', message: `Weaviate query failed: ${(error as Error).message}`, ...from });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  registerRoutes(app, deps);
  return app;
}

/**
 * Ready once requests have a generation to read: the status record names a published generation
 * (complete and verified, also while the next one is being built), or, for data written before
 * generations, says completed. The status is read afresh (which refreshes the pin): a health check
 * after `init` exited sees what it published. A failed read is "not ready" (503 with the reason),
 * never an exception: the health check must answer.
 */
export function pinReadiness(pin: GenerationPin, datasetKey: string): RouteDeps['readiness'] {
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
