/**
 * Configuration is read once, here, at the edge: profile file → environment → command-line
 * flags, validated with zod and frozen. Nothing else in the code base reads process.env. Which
 * variable sets which setting is declared in settings.ts, with every other fact about a setting;
 * test/config/settings.test.ts holds this schema and that table to the same settings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { EscoInitError } from '../errors.ts';
import { SETTINGS, type Setting } from './settings.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config/weaviate_config.yaml');

const positive = z.coerce.number().positive();
const count = z.coerce.number().int().positive();

/** How `GET /search` ranks: keywords (bm25), meaning (vector), or both blended by alpha (hybrid). */
export const SEARCH_MODES = ['hybrid', 'vector', 'bm25'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** What an API key of the search service may do (README: Operator API). */
export const API_ROLES = ['reader', 'monitor', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/**
 * One API key: `name:secret`, or a bare secret (named after its role). The name is what audit
 * lines and logs say; the secret never appears anywhere but here.
 */
const ApiKeySchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a key name is 1-64 of A-Z a-z 0-9 . _ @ -'),
  secret: z.string().min(16, 'an API key must be at least 16 characters (e.g. `openssl rand -hex 24`)'),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

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
  lock: z
    .object({
      ttlSeconds: positive,
      heartbeatSeconds: positive,
      waitTimeoutSeconds: positive,
    })
    // A holder beating slower than half the TTL would look stale to a watcher while alive.
    .refine((lock) => lock.heartbeatSeconds * 2 <= lock.ttlSeconds, {
      path: ['heartbeatSeconds'],
      message: 'must be at most half of lock.ttlSeconds: a holder beats several times per TTL',
    }),
  /** The search service (`esco-init serve`); port 0 picks a free one (tests). */
  search: z.object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(0).max(65535),
    /** The default of `GET /search` (bm25 wherever the collections have no vectors). */
    mode: z.enum(SEARCH_MODES),
    /** The default hybrid weight: 0 = keywords only, 1 = vectors only (Weaviate's definition). */
    alpha: z.coerce.number().min(0).max(1),
    /** Search requests per caller (API key, else client address) per minute; 0: no limit. */
    rateLimitPerMinute: z.coerce.number().int().min(0),
    /** Event-loop delay (ms) past which every route answers 503 (saturated); 0: never. */
    maxEventLoopDelayMs: z.coerce.number().int().min(0),
  }),
  /** API keys of the search service by role; a role with no keys leaves its routes open (admin: absent). */
  auth: z.object({
    reader: z.array(ApiKeySchema),
    monitor: z.array(ApiKeySchema),
    admin: z.array(ApiKeySchema),
  }),
  /** Runs started over the operator API (`POST /admin/ingest`). */
  admin: z.object({
    /**
     * The Weaviate key those runs write with (the esco-init role); unset: weaviate.apiKey. The
     * search service itself reads with weaviate.apiKey, which should hold the read-only role.
     */
    weaviateApiKey: z.string().min(1).optional(),
    /** What a 503 asks callers to wait before trying again. */
    retryAfterSeconds: z.coerce.number().int().positive(),
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
  const { profile: envProfile, configFile: envFile, ...envValues } = fromEnv(env);
  const file = overrides.configFile ?? envFile ?? DEFAULT_CONFIG_FILE;
  const profile = overrides.profile ?? envProfile ?? 'default';
  const profiles = readProfiles(file);
  if (!(profile in profiles)) {
    throw new EscoInitError(
      'CONFIG_INVALID',
      `profile "${profile}" is not in ${file}; choose one of: ${Object.keys(profiles).join(', ')}`,
    );
  }
  const { profile: _p, configFile: _f, ...flagValues } = overrides;
  const base = { ...builtIns(), profile };
  const merged = [profiles.default, profiles[profile], envValues, flagValues].reduce(
    (acc: Record<string, unknown>, layer) => deepMerge(acc, layer),
    base,
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

/** The settings the environment sets (settings.ts), as a layer shaped like the configuration. */
function fromEnv(env: Env): ConfigOverrides {
  const layer: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const value = envValue(setting, env);
    if (value !== undefined) setAt(layer, setting.path, value);
  }
  return layer;
}

function envValue(setting: Setting, env: Env): unknown {
  for (const source of setting.env) {
    const text = source.secret ? secret(env, source.name) : env[source.name];
    const value = text === undefined || source.read === undefined ? text : source.read(text);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** What loadConfig starts from: the settings no profile sets (settings.ts, `builtIn`). */
function builtIns(): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const s of SETTINGS) if (s.builtIn) setAt(base, s.path, structuredClone(s.default));
  return base;
}

/** Sets `section.key` (or a top-level `key`) in `tree`. */
function setAt(tree: Record<string, unknown>, settingPath: string, value: unknown): void {
  const [section = '', key] = settingPath.split('.');
  if (key === undefined) tree[section] = value;
  else tree[section] = { ...(tree[section] as object | undefined), [key]: value };
}

/**
 * A secret from `NAME` or from the file `NAME_FILE` names (Docker/compose secrets, Kubernetes
 * secret volumes), trimmed; both set is an error, since one of them would be silently ignored.
 */
function secret(env: Env, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  const value = env[name] || undefined;
  if (!file) return value;
  if (value !== undefined) {
    throw new EscoInitError('CONFIG_INVALID', `both ${name} and ${name}_FILE are set; set only one of them`);
  }
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (cause) {
    throw new EscoInitError('CONFIG_INVALID', `cannot read ${name}_FILE (${file}): ${(cause as Error).message}`, {
      cause,
    });
  }
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
