/**
 * HTTP routes of the search service. Every input is validated with zod before it reaches a
 * query; a bad query string or id is a 400 that says which parameter and why.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CONCEPT_TYPES, type SearchQueries } from './queries.ts';

export const SearchQuerySchema = z.object({
  q: z.string().trim().min(1, 'q (the search text) must not be empty').max(200),
  type: z.enum(CONCEPT_TYPES).default('skill'),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

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
  readiness(): Promise<Readiness>;
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/search', async (request) => {
    const { q, type, limit } = parse(SearchQuerySchema, request.query);
    const { mode, hits } = await deps.queries.search(type, q, limit);
    return { query: q, type, mode, count: hits.length, results: hits };
  });

  app.get('/occupations/:id', async (request, reply) => {
    const { id } = parse(ConceptIdSchema, request.params);
    const found = await deps.queries.occupation(id);
    if (!found) return reply.code(404).send({ error: 'not_found', message: `no occupation with id ${id}` });
    return found;
  });

  app.get('/skills/:id', async (request, reply) => {
    const { id } = parse(ConceptIdSchema, request.params);
    const found = await deps.queries.skill(id);
    if (!found) return reply.code(404).send({ error: 'not_found', message: `no skill with id ${id}` });
    return found;
  });

  app.get('/healthz', async (_request, reply) => {
    const readiness = await deps.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
  readonly issues: { path: string; message: string }[];

  constructor(issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new BadRequest(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}
