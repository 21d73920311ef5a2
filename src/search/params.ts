/**
 * The query strings of the search service, validated with zod: what each parameter may hold and
 * which parameters go together. Anything else is a BadRequest (a 400) naming the parameter.
 */
import { z } from 'zod';
import { SEARCH_MODES, type SearchMode } from '../config/config.ts';
import type { ReuseLevel, SkillType } from '../esco/records.ts';
import { BadRequest, type Issue, parseInput } from '../http-errors.ts';
import { CONCEPT_TYPES, type ConceptType } from './concepts.ts';
import type { SearchFilters } from './filters.ts';

// Keyed by the reader's types (src/esco/records.ts): a value added there fails to compile here
// until the search service accepts it too.
const SKILL_TYPE: Record<SkillType, true> = { knowledge: true, 'skill/competence': true };
const REUSE_LEVEL: Record<ReuseLevel, true> = {
  transversal: true,
  'cross-sector': true,
  'sector-specific': true,
  'occupation-specific': true,
};
export const SKILL_TYPES = Object.keys(SKILL_TYPE) as [SkillType, ...SkillType[]];
export const REUSE_LEVELS = Object.keys(REUSE_LEVEL) as [ReuseLevel, ...ReuseLevel[]];

/**
 * Collection keys are what the reader derives from a collection file's name (src/esco/files.ts:
 * `digitalSkillsCollection_en.csv` → `digitalSkills`); which ones exist is the data's business,
 * checked against Weaviate by the routes.
 */
const COLLECTION_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
const MAX_COLLECTIONS = 20;

const ALPHA_RANGE = 'alpha must be a number from 0 (keywords only) to 1 (vectors only)';
const alpha = z
  .string()
  .trim()
  .regex(/^(\d+\.?\d*|\.\d+)$/, ALPHA_RANGE)
  .transform(Number)
  .pipe(z.number().min(0, ALPHA_RANGE).max(1, ALPHA_RANGE));

/** `collection=a&collection=b`, `collection=a,b` or both: the distinct keys, in order. */
const collections = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => [...new Set([v].flat().flatMap((s) => s.split(',').map((k) => k.trim())))].filter(Boolean))
  .check((ctx) => {
    const bad = ctx.value.filter((k) => !COLLECTION_KEY.test(k) || k.length > 100);
    for (const key of bad) {
      ctx.issues.push({ code: 'custom', input: key, message: `"${key}" is not a collection key (e.g. digitalSkills)` });
    }
    if (ctx.value.length === 0)
      ctx.issues.push({ code: 'custom', input: ctx.value, message: 'collection must name at least one collection' });
    if (ctx.value.length > MAX_COLLECTIONS)
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `at most ${MAX_COLLECTIONS} collections` });
  });

const LIMIT_RANGE = 'limit must be a whole number from 1 to 100';
const limit = z.coerce.number({ error: LIMIT_RANGE }).int(LIMIT_RANGE).min(1, LIMIT_RANGE).max(100, LIMIT_RANGE);

function strict<T extends z.core.$ZodLooseShape>(route: string, shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown parameter; ${route} takes ${accepted}` : undefined,
  });
}

export const SearchQuerySchema = strict('/search', {
  q: z
    .string({ error: (i) => (i.input === undefined ? 'q (the search text) is required' : 'q must be given once') })
    .trim()
    .min(1, 'q (the search text) must not be empty')
    .max(200, 'q is longer than 200 characters'),
  type: z.enum(CONCEPT_TYPES).default('skill'),
  limit: limit.default(10),
  mode: z.enum(SEARCH_MODES).optional(),
  alpha: alpha.optional(),
  skillType: z.enum(SKILL_TYPES).optional(),
  reuseLevel: z.enum(REUSE_LEVELS).optional(),
  collection: collections.optional(),
  isco: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, 'isco must be 1 to 4 digits: an ISCO-08 group code or its start (e.g. 25)')
    .optional(),
});

export const SimilarQuerySchema = strict('/<type>/<id>/similar', { limit: limit.default(10) });

export interface SearchRequest {
  q: string;
  type: ConceptType;
  limit: number;
  /** As asked; the mode that runs also depends on the configuration and the collection (mode.ts). */
  mode?: SearchMode;
  alpha?: number;
  filters: SearchFilters;
}

export function parseSearchQuery(query: unknown): SearchRequest {
  const p = parseInput(SearchQuerySchema, query);
  const filters: SearchFilters = {
    ...(p.skillType && { skillType: p.skillType }),
    ...(p.reuseLevel && { reuseLevel: p.reuseLevel }),
    ...(p.collection && { collections: p.collection }),
    ...(p.isco && { isco: p.isco }),
  };
  const request: SearchRequest = { q: p.q, type: p.type, limit: p.limit, mode: p.mode, alpha: p.alpha, filters };
  const issues = combinationIssues(request);
  if (issues.length > 0) throw new BadRequest(issues);
  return request;
}

/** Parameters that are valid alone but not with the rest of the request. */
export function combinationIssues(r: SearchRequest): Issue[] {
  const issues: Issue[] = [];
  if (r.type === 'occupation') {
    for (const name of ['skillType', 'reuseLevel'] as const) {
      if (r.filters[name] !== undefined)
        issues.push({ path: name, message: `${name} filters skills only, and this search is type=occupation` });
    }
  }
  if (r.type === 'skill' && r.filters.isco !== undefined) {
    issues.push({ path: 'isco', message: 'isco filters occupations only: add type=occupation' });
  }
  if (r.alpha !== undefined && r.mode !== undefined && r.mode !== 'hybrid') {
    issues.push({ path: 'alpha', message: `alpha weighs mode=hybrid only, and this search asks for mode=${r.mode}` });
  }
  return issues;
}
