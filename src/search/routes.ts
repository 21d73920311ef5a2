/**
 * HTTP routes of the search service. Every input is validated with zod before it reaches a
 * query; a bad query string or id is a 400 that says which parameter and why. Each request reads
 * one generation (generation-pin.ts), and its answer names it: `generation` (and the dataset's
 * `fingerprint`) in the body, the ESCO-Generation (and ESCO-Fingerprint) header.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../http-errors.ts';
import { CollectionCatalog } from './catalog.ts';
import type { ConceptType } from './concepts.ts';
import type { GenerationPin, Pin } from './generation-pin.ts';
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
  /** True once a generation is published (or, for data from before generations, ingestion completed). */
  ready: boolean;
  state: string;
  generation?: number | null;
  [detail: string]: unknown;
}

export interface RouteDeps {
  queries: SearchQueries;
  /** `search.mode` and `search.alpha` of the configuration. */
  defaults: RankingDefaults;
  /** The generation each request reads. */
  pin: GenerationPin;
}

/** Names the generation an answer came from; absent for the plain names (no generation). */
export const GENERATION_HEADER = 'ESCO-Generation';
export const FINGERPRINT_HEADER = 'ESCO-Fingerprint';

const PATHS: Record<ConceptType, string> = { occupation: '/occupations', skill: '/skills' };

/** What a route answers: the body (the generation is added) and a status other than 200. */
interface Answer {
  code?: number;
  body: Record<string, unknown>;
}

/** The pin each request was answered from, for the error handler (server.ts). */
const PINNED = new WeakMap<FastifyRequest, Pin>();

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const catalog = new CollectionCatalog((pin) => deps.queries.collectionMembers(pin));
  /** Runs `respond` on one generation, the whole request, and says which in the answer. */
  const pinned = async (request: FastifyRequest, reply: FastifyReply, respond: (pin: Pin) => Promise<Answer>) => {
    const { pin, result } = await deps.pin.run((pin) => {
      PINNED.set(request, pin);
      return respond(pin);
    });
    nameGeneration(reply, pin);
    return reply.code(result.code ?? 200).send({ ...result.body, ...provenance(pin) });
  };

  app.get('/search', async (request, reply) => {
    const { q, type, limit, filters, ...asked } = parseSearchQuery(request.query);
    return pinned(request, reply, async (pin) => {
      const ranking = resolveRanking(asked, deps.defaults, await deps.queries.hasVectors(pin, type));
      if (filters.collections) await catalog.check(filters.collections, type, pin);
      const results = await deps.queries.search(pin, { type, q, limit, ranking, filters });
      return { body: { query: q, type, ...ranking, filters, count: results.length, results } };
    });
  });

  app.get('/occupations/:id', async (request, reply) => {
    const { id } = parseInput(ConceptIdSchema, request.params);
    return pinned(request, reply, async (pin) => orNotFound(await deps.queries.occupation(pin, id), 'occupation', id));
  });

  app.get('/skills/:id', async (request, reply) => {
    const { id } = parseInput(ConceptIdSchema, request.params);
    return pinned(request, reply, async (pin) => orNotFound(await deps.queries.skill(pin, id), 'skill', id));
  });

  for (const [type, path] of Object.entries(PATHS) as [ConceptType, string][]) {
    app.get(`${path}/:id/similar`, async (request, reply) => {
      const { id } = parseInput(ConceptIdSchema, request.params);
      const { limit } = parseInput(SimilarQuerySchema, request.query);
      return pinned(request, reply, async (pin) => {
        if (!(await deps.queries.hasVectors(pin, type))) {
          const message = `this deployment has no vectors (vectorizer none), so ${type}s have no vector neighbours; use GET /search?mode=bm25`;
          return { code: 409, body: { error: 'no_vectors', message } };
        }
        const found = await deps.queries.similar(pin, type, id, limit);
        if (!found) return notFound(type, id);
        return { body: { type, concept: found.concept, count: found.hits.length, results: found.hits } };
      });
    });
  }
}

/** The generation (and dataset) a request was answered from, once it had one: for error answers. */
export function answeredFrom(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const pin = PINNED.get(request);
  if (!pin) return {};
  nameGeneration(reply, pin);
  return provenance(pin);
}

function provenance(pin: Pin): { generation: number | null; fingerprint: string | null } {
  return { generation: pin.generation, fingerprint: pin.fingerprint };
}

function nameGeneration(reply: FastifyReply, pin: Pin): void {
  if (pin.generation !== null) reply.header(GENERATION_HEADER, String(pin.generation));
  if (pin.fingerprint !== null) reply.header(FINGERPRINT_HEADER, pin.fingerprint);
}

function orNotFound(found: Record<string, unknown> | null, type: ConceptType, id: string): Answer {
  return found ? { body: found } : notFound(type, id);
}

function notFound(type: ConceptType, id: string): Answer {
  return { code: 404, body: { error: 'not_found', message: `no ${type} with id ${id}` } };
}
