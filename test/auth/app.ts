import Fastify, { type FastifyInstance } from 'fastify';
import { ApiKeys } from '../../src/auth/api-keys.ts';
import { authorize, callerOf } from '../../src/auth/guard.ts';
import type { Config } from '../../src/config/config.ts';

/** A tiny service with one route per role, each answering who called it. */
export function guardedApp(auth: Config['auth']): FastifyInstance {
  const keys = new ApiKeys(auth);
  const app = Fastify({ logger: false });
  for (const role of ['reader', 'monitor', 'admin'] as const) {
    app.get(`/${role}`, { preHandler: authorize(keys, role) }, async (request) => ({ caller: callerOf(request) }));
  }
  app.get('/healthz', async (request) => ({ caller: callerOf(request) }));
  return app;
}
