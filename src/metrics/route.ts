/**
 * `GET /metrics` and the request latency of every other route. Register on the root instance:
 * a hook added inside an encapsulated plugin would only see that plugin's routes.
 */
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';
/** The route label of requests no route matched (404s): their raw URLs would be unbounded labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/** `preHandler`: the auth guard, when the lead restricts scraping to a role. */
export function registerMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  preHandler?: RouteShorthandOptions['preHandler'],
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    if (route === METRICS_PATH) return;
    metrics.observeRequest(route, reply.statusCode, reply.elapsedTime / 1000);
  });
  const options: RouteShorthandOptions = preHandler ? { preHandler } : {};
  app.get(METRICS_PATH, options, async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
