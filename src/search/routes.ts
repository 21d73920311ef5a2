/**
 * HTTP routes of the search service. Every input is validated with zod before it reaches a
 * query; a bad query string or id is a 400 that says which parameter and why.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { CollectionCatalog } from './catalog.ts';
import type { ConceptType } from './concepts.ts';
import { parseInput } from './errors.ts';
import { type RankingDefaults, resolveRanking } from './mode.ts';
import { parseSearchQuery, SimilarQuerySchema } from './params.ts';
import type { SearchQueries } from './queries.ts';

/** An ESCO id (the UUID at the end of a concept URI) or a whole concept URI. */
export const ConceptIdSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .regex(/^(https?:\/\/\S+|[A-Za-z0-9._-]+)$/, 'id must be an ESCO id (e.g. a UUID) or a concept URI'),
});

export interface Readiness {
  /** True only while the ingested data is complete. */
  ready: boolean;
  state: string;
  [detail: string]: unknown;
}

export interface RouteDeps {
  queries: SearchQueries;
  /** `search.mode` and `search.alpha` of the configuration. */
  defaults: RankingDefaults;
  readiness(): Promise<Readiness>;
}

const PATHS: Record<ConceptType, string> = { occupation: '/occupations', skill: '/skills' };

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const catalog = new CollectionCatalog(() => deps.queries.collectionMembers());

  app.get('/search', async (request) => {
    const { q, type, limit, filters, ...asked } = parseSearchQuery(request.query);
    const ranking = resolveRanking(asked, deps.defaults, await deps.queries.hasVectors(type));
    if (filters.collections) await catalog.check(filters.collections, type);
    const results = await deps.queries.search({ type, q, limit, ranking, filters });
    return { query: q, type, ...ranking, filters, count: results.length, results };
  });

  app.get('/occupations/:id', async (request, reply) => {
    const { id } = parseInput(ConceptIdSchema, request.params);
    const found = await deps.queries.occupation(id);
    return found ?? notFound(reply, 'occupation', id);
  });

  app.get('/skills/:id', async (request, reply) => {
    const { id } = parseInput(ConceptIdSchema, request.params);
    const found = await deps.queries.skill(id);
    return found ?? notFound(reply, 'skill', id);
  });

  for (const [type, path] of Object.entries(PATHS) as [ConceptType, string][]) {
    app.get(`${path}/:id/similar`, async (request, reply) => {
      const { id } = parseInput(ConceptIdSchema, request.params);
      const { limit } = parseInput(SimilarQuerySchema, request.query);
      if (!(await deps.queries.hasVectors(type))) {
        const message = `this deployment has no vectors (vectorizer none), so ${type}s have no vector neighbours; use GET /search?mode=bm25`;
        return reply.code(409).send({ error: 'no_vectors', message });
      }
      const found = await deps.queries.similar(type, id, limit);
      if (!found) return notFound(reply, type, id);
      return { type, concept: found.concept, count: found.hits.length, results: found.hits };
    });
  }

  app.get('/healthz', async (_request, reply) => {
    const readiness = await deps.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}

function notFound(reply: FastifyReply, type: ConceptType, id: string) {
  return reply.code(404).send({ error: 'not_found', message: `no ${type} with id ${id}` });
}
