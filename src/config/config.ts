/**
 * Configuration is read once, here, at the edge: profile file → environment → command-line
 * flags, validated with zod and frozen. Nothing else in the code base reads process.env.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { EscoInitError } from '../errors.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config/weaviate_config.yaml');

const positive = z.coerce.number().positive();
const count = z.coerce.number().int().positive();

/** How `GET /search` ranks: keywords (bm25), meaning (vector), or both blended by alpha (hybrid). */
export const SEARCH_MODES = ['hybrid', 'vector', 'bm25'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** The vectorizers an ingest can run with. */
export const VECTORIZERS = ['none', 'text2vec-transformers'] as const;

export const ConfigSchema = z.object({
  profile: z.string(),
  weaviate: z.object({
    url: z.url({ protocol: /^https?$/ }),
    grpcPort: z.coerce.number().int().min(1).max(65535),
    grpcHost: z.string().optional(),
    apiKey: z.string().min(1).optional(),
    startupTimeoutSeconds: positive,
  }),
  data: z.object({
    paths: z.array(z.string().min(1)).min(1),
    language: z.string().regex(/^[a-z]{2,3}(-[a-zA-Z]+)?$/),
    rowPolicy: z.enum(['strict', 'report']),
    maxRejectedRows: z.coerce.number().int().min(0),
  }),
  ingest: z
    .object({
      vectorizer: z.enum(VECTORIZERS),
      /** Overrides of the vectorizer's batching (flags, env); unset: `batching[vectorizer]`. */
      batchSize: count.optional(),
      concurrency: count.optional(),
      /**
       * Batching by vectorizer (README: Vectors): with one, the model sets the pace and a batch
       * request lasts until all its objects are vectorized, so fewer objects in flight keep each
       * request far from Weaviate's and esco-init's timeouts.
       */
      batching: z.record(z.enum(VECTORIZERS), z.object({ batchSize: count, concurrency: count })),
    })
    .transform(({ vectorizer, batchSize, concurrency, batching }) => ({
      vectorizer,
      batchSize: batchSize ?? batching[vectorizer].batchSize,
      concurrency: concurrency ?? batching[vectorizer].concurrency,
    })),
  /** Dataset generations (docs/architecture.md#generations). */
  generations: z.object({
    /** Complete generations kept besides the published one: what `rollback` can return to. */
    keep: z.coerce.number().int().min(0).max(10),
  }),
  lock: z.object({
    ttlSeconds: positive,
    heartbeatSeconds: positive,
    waitTimeoutSeconds: positive,
  }),
  /** The search service (`esco-init serve`); port 0 picks a free one (tests). */
  search: z.object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(0).max(65535),
    /** The default of `GET /search` (bm25 wherever the collections have no vectors). */
    mode: z.enum(SEARCH_MODES),
    /** The default hybrid weight: 0 = keywords only, 1 = vectors only (Weaviate's definition). */
    alpha: z.coerce.number().min(0).max(1),
  }),
  log: z.object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    format: z.enum(['json', 'pretty', 'auto']),
  }),
  /** True when nobody can answer a prompt: CI, containers, NON_INTERACTIVE. */
  nonInteractive: z.boolean(),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

type Env = Readonly<Record<string, string | undefined>>;

/** Overrides from the command line: any config path, e.g. `{ data: { paths: [...] } }`. */
export interface ConfigOverrides {
  profile?: string;
  configFile?: string;
  [section: string]: unknown;
}

type Sections = Omit<z.input<typeof ConfigSchema>, 'profile' | 'nonInteractive'>;

/** What one command-line flag can override: the profile, the config file, or `<section>.<key>`. */
export type ConfigPath =
  | 'profile'
  | 'configFile'
  | { [S in keyof Sections & string]: `${S}.${keyof Sections[S] & string}` }[keyof Sections & string];

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env): Config {
  const file = overrides.configFile ?? env.ESCO_INIT_CONFIG ?? DEFAULT_CONFIG_FILE;
  const profile = overrides.profile ?? env.ESCO_INIT_PROFILE ?? 'default';
  const profiles = readProfiles(file);
  if (!(profile in profiles)) {
    throw new EscoInitError(
      'CONFIG_INVALID',
      `profile "${profile}" is not in ${file}; choose one of: ${Object.keys(profiles).join(', ')}`,
    );
  }
  const { profile: _p, configFile: _f, ...flagValues } = overrides;
  const merged = [profiles.default, profiles[profile], fromEnv(env), flagValues].reduce(
    (acc: Record<string, unknown>, layer) => deepMerge(acc, layer),
    { profile, log: { level: 'info', format: 'auto' }, nonInteractive: isNonInteractive(env) },
  );
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new EscoInitError('CONFIG_INVALID', `invalid configuration (profile "${profile}"): ${problems}`);
  }
  return deepFreeze(parsed.data);
}

function readProfiles(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EscoInitError('CONFIG_INVALID', `cannot read config file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (!isObject(doc) || !isObject(doc.default)) {
    throw new EscoInitError('CONFIG_INVALID', `${file} must be a mapping with a "default" profile`);
  }
  return doc;
}

/** Environment variables that override the profile (documented in the README). */
function fromEnv(env: Env): Record<string, unknown> {
  const grpc = env.WEAVIATE_GRPC_URL ? new URL(env.WEAVIATE_GRPC_URL) : undefined;
  return {
    weaviate: {
      url: env.WEAVIATE_URL,
      grpcPort: env.WEAVIATE_GRPC_PORT ?? grpc?.port,
      grpcHost: grpc?.hostname,
      apiKey: env.WEAVIATE_API_KEY || undefined,
      startupTimeoutSeconds: env.WEAVIATE_STARTUP_TIMEOUT,
    },
    data: {
      paths: env.ESCO_DATA ? env.ESCO_DATA.split(path.delimiter).filter(Boolean) : undefined,
      language: env.ESCO_LANGUAGE,
      rowPolicy: env.ESCO_ROW_POLICY,
      maxRejectedRows: env.ESCO_MAX_REJECTED,
    },
    ingest: {
      batchSize: env.ESCO_BATCH_SIZE,
      concurrency: env.ESCO_CONCURRENCY,
      vectorizer: env.ESCO_VECTORIZER,
    },
    generations: { keep: env.ESCO_KEEP_GENERATIONS },
    lock: {
      ttlSeconds: env.ESCO_LOCK_TTL,
      heartbeatSeconds: env.ESCO_LOCK_HEARTBEAT,
      waitTimeoutSeconds: env.ESCO_WAIT_TIMEOUT,
    },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    search: {
      host: env.ESCO_SEARCH_HOST,
      port: env.ESCO_SEARCH_PORT,
      mode: env.ESCO_SEARCH_MODE,
      // An empty variable would coerce to 0 (keywords only): treat it as unset instead.
      alpha: env.ESCO_SEARCH_ALPHA || undefined,
    },
  };
}

function isNonInteractive(env: Env): boolean {
  return [env.CI, env.DOCKER_ENV, env.NON_INTERACTIVE].some((v) => v !== undefined && v !== '' && v !== 'false');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `layer` over `base`; undefined values in `layer` leave `base` alone. */
function deepMerge(base: Record<string, unknown>, layer: unknown): Record<string, unknown> {
  if (!isObject(layer)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Record<string, unknown>, value) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
