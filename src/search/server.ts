/**
 * The search service: a small fastify app over the ingested ESCO data (`esco-init serve`).
 * It holds no state of its own; Weaviate is the store and the ingestion status record there
 * decides whether the service reports itself healthy.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log.ts';
import type { StatusStore } from '../state/status-store.ts';
import { BadRequest } from './errors.ts';
import { type RouteDeps, registerRoutes } from './routes.ts';

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
    if (error instanceof BadRequest) {
      return reply.code(400).send({ error: 'bad_request', message: error.message, issues: error.issues });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: (error as Error).message });
    }
    // Weaviate failed or is gone: say so, and keep the details in the log.
    deps.log.error({ err: error, url: request.url }, 'request failed');
    return reply
      .code(502)
      .send({ error: 'upstream_failed', message: `Weaviate query failed: ${(error as Error).message}` });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  registerRoutes(app, deps);
  return app;
}

/**
 * Ready only while the dataset's status record says completed. A failed read is "not ready"
 * (503 with the reason), never an exception: the health check must answer.
 */
export function statusReadiness(store: StatusStore, datasetKey: string): RouteDeps['readiness'] {
  return async () => {
    try {
      const status = await store.readStatus(datasetKey);
      if (!status) return { ready: false, state: 'not_started', datasetKey };
      return {
        ready: status.state === 'completed',
        state: status.state,
        datasetKey,
        completedAt: status.completedAt,
        counts: status.counts,
      };
    } catch (error) {
      return { ready: false, state: 'unknown', datasetKey, error: (error as Error).message };
    }
  };
}
