/**
 * Every setting, declared once: its config path, environment variables, flag, default and help.
 * The environment reader (config.ts), the flags that override settings (commands/flags.ts), their
 * `--help` lines and the README's configuration table are generated from it; the zod schema
 * (config.ts) stays hand-written for readability and a unit test holds the two to the same paths.
 * Data, and the functions that turn a variable's text into a value (env-values.ts).
 */
import type { ConfigPath } from './config.ts';
import { apiKeys, grpcUrl, nonEmpty, pathList, switchedOn } from './env-values.ts';

export type SettingPath = ConfigPath | 'nonInteractive';

/** An environment variable that sets a setting; of several, the first one set wins. */
export interface EnvSource {
  name: string;
  /** Also read from the file `<name>_FILE` names (compose and Kubernetes secrets). */
  secret?: boolean;
  /** Turns the text into the setting's value; undefined counts as unset. */
  read?: (text: string) => unknown;
  /** What the README says after the name, e.g. `(its port)`. */
  note?: string;
}

/** The command-line flag that overrides a setting (src/commands/flags.ts makes its FlagSpec). */
export interface SettingFlag {
  name: string;
  /** The value's placeholder, e.g. `<s>`. */
  value: string;
  /** Repeatable, with the values collected in a list. */
  multiple?: boolean;
  /** The values are file paths, resolved against the working directory. */
  path?: boolean;
  /** What `--help` says when the setting's own help reads wrong for a flag. */
  help?: string;
}

export interface Setting {
  path: SettingPath;
  env: readonly EnvSource[];
  flag?: SettingFlag;
  /**
   * The `default` profile's value (config/weaviate_config.yaml); with `builtIn`, the value
   * loadConfig starts from, which no profile sets. A unit test checks both.
   */
  default?: unknown;
  builtIn?: boolean;
  /** The default as the README and `--help` say it, where the value alone would not. */
  shown?: string;
  /** One line (markdown) for the README; `--help` shows it without backticks. */
  help: string;
}

const env = (name: string, more: Omit<EnvSource, 'name'> = {}): EnvSource => ({ name, ...more });
const secret = (name: string, read?: EnvSource['read']): EnvSource => ({ name, secret: true, read });
const seconds = (name: string, help?: string): SettingFlag => ({ name, value: '<s>', help });

export const SETTINGS: readonly Setting[] = [
  {
    path: 'profile',
    env: [env('ESCO_INIT_PROFILE')],
    flag: { name: 'profile', value: '<name>', help: 'configuration profile (of config/weaviate_config.yaml)' },
    default: 'default',
    builtIn: true,
    help: 'which profile of the config file',
  },
  {
    path: 'configFile',
    env: [env('ESCO_INIT_CONFIG')],
    flag: { name: 'config', value: '<file>', help: 'configuration file' },
    shown: '`config/weaviate_config.yaml`',
    help: 'where the profiles are',
  },
  {
    path: 'weaviate.url',
    env: [env('WEAVIATE_URL')],
    flag: { name: 'url', value: '<url>', help: 'Weaviate HTTP URL' },
    default: 'http://weaviate:8080',
    help: 'scheme, host and HTTP port',
  },
  {
    path: 'weaviate.grpcPort',
    env: [env('WEAVIATE_GRPC_PORT'), env('WEAVIATE_GRPC_URL', { read: grpcUrl('port'), note: '(its port)' })],
    default: 50051,
    help: 'gRPC port (queries, stored hashes, deletes, status records; batch writes go over REST)',
  },
  {
    path: 'weaviate.grpcHost',
    env: [env('WEAVIATE_GRPC_URL', { read: grpcUrl('hostname'), note: '(its host)' })],
    shown: 'host of `weaviate.url`',
    help: 'when gRPC is served elsewhere',
  },
  {
    path: 'weaviate.apiKey',
    env: [secret('WEAVIATE_API_KEY')],
    shown: 'none (anonymous)',
    help: 'Weaviate API key; with RBAC, `init` needs role `esco-init` and `serve` role `esco-search` ([least privilege](#least-privilege-in-weaviate)); redacted from every log line',
  },
  {
    path: 'weaviate.startupTimeoutSeconds',
    env: [env('WEAVIATE_STARTUP_TIMEOUT')],
    flag: seconds('startup-timeout', 'how long to wait for Weaviate to be ready (exit 3)'),
    default: 120,
    help: 'wait for `/v1/.well-known/ready`, then exit 3',
  },
  {
    path: 'data.paths',
    env: [env('ESCO_DATA', { read: pathList, note: '(`:`-separated)' })],
    flag: {
      name: 'data',
      value: '<path>',
      multiple: true,
      path: true,
      help: 'ESCO zip, folder or CSV file; repeat for several',
    },
    default: ['/data'],
    help: 'ESCO zips, folders of CSVs, or both',
  },
  {
    path: 'data.language',
    env: [env('ESCO_LANGUAGE')],
    flag: { name: 'language', value: '<code>' },
    default: 'en',
    help: 'language bundle to read',
  },
  {
    path: 'data.rowPolicy',
    env: [env('ESCO_ROW_POLICY')],
    flag: {
      name: 'row-policy',
      value: '<policy>',
      help: 'strict (first bad row fails) or report (skip up to --max-rejected)',
    },
    default: 'strict',
    help: '`strict`: first bad row fails; `report`: skip up to the limit, list them all',
  },
  {
    path: 'data.maxRejectedRows',
    env: [env('ESCO_MAX_REJECTED')],
    flag: { name: 'max-rejected', value: '<n>', help: 'with --row-policy report: fail above this many rejected rows' },
    default: 100,
    help: 'the limit for `report`',
  },
  {
    path: 'ingest.vectorizer',
    env: [env('ESCO_VECTORIZER')],
    flag: { name: 'vectorizer', value: '<name>', help: 'none | text2vec-transformers' },
    default: 'text2vec-transformers',
    help: '`text2vec-transformers` or `none` (BM25 search only)',
  },
  {
    path: 'ingest.batchSize',
    env: [env('ESCO_BATCH_SIZE')],
    flag: { name: 'batch-size', value: '<n>', help: 'objects per batch request' },
    shown: '`ingest.batching`: `32` with the vectorizer, `250` without',
    help: 'objects per batch request (`POST /v1/batch/objects`), at most: requests also stay under 256 KiB',
  },
  {
    path: 'ingest.concurrency',
    env: [env('ESCO_CONCURRENCY')],
    flag: { name: 'concurrency', value: '<n>', help: 'batch requests in flight' },
    shown: '`ingest.batching`: `32` with the vectorizer, `8` without',
    help: 'requests in flight',
  },
  {
    path: 'ingest.batching',
    env: [],
    default: {
      'text2vec-transformers': { batchSize: 32, concurrency: 32 },
      none: { batchSize: 250, concurrency: 8 },
    },
    shown: '`text2vec-transformers`: `32` objects × `32` requests; `none`: `250` × `8`',
    help: 'batch size and concurrency by vectorizer (config file only; [vectors](docs/architecture.md#vectors))',
  },
  {
    path: 'generations.keep',
    env: [env('ESCO_KEEP_GENERATIONS')],
    default: 1,
    help: 'complete generations kept besides the published one: what `rollback` can return to (each costs the disk of one dataset)',
  },
  {
    path: 'lock.ttlSeconds',
    env: [env('ESCO_LOCK_TTL')],
    flag: seconds('lock-ttl'),
    default: 30,
    help: 'a holder whose heartbeat has not moved this long is taken over',
  },
  {
    path: 'lock.heartbeatSeconds',
    env: [env('ESCO_LOCK_HEARTBEAT')],
    flag: seconds('heartbeat'),
    default: 5,
    help: 'how often the holder beats; at most half the TTL, so that a live holder never looks stale',
  },
  {
    path: 'lock.waitTimeoutSeconds',
    env: [env('ESCO_WAIT_TIMEOUT')],
    flag: seconds('wait-timeout', 'give up waiting for another holder after this long (exit 4)'),
    default: 3600,
    help: 'how long a follower waits, then exits 4',
  },
  {
    path: 'search.host',
    env: [env('ESCO_SEARCH_HOST')],
    flag: { name: 'host', value: '<address>' },
    default: '0.0.0.0',
    help: 'address `esco-init serve` listens on',
  },
  {
    path: 'search.port',
    env: [env('ESCO_SEARCH_PORT')],
    flag: { name: 'port', value: '<n>' },
    default: 8000,
    help: 'port `esco-init serve` listens on (`0`: a free one)',
  },
  {
    path: 'search.mode',
    env: [env('ESCO_SEARCH_MODE')],
    default: 'hybrid',
    help: 'default ranking of `GET /search`: `hybrid`, `vector` or `bm25` (always `bm25` when the collections have no vectors)',
  },
  {
    path: 'search.alpha',
    // An empty variable would coerce to 0 (keywords only): it counts as unset instead.
    env: [env('ESCO_SEARCH_ALPHA', { read: nonEmpty })],
    default: 0.6,
    help: 'default hybrid weight: `0` keywords only … `1` vectors only (chosen by `npm run eval`: [search quality](docs/performance.md#search-quality))',
  },
  {
    path: 'search.rateLimitPerMinute',
    env: [env('ESCO_SEARCH_RATE_LIMIT')],
    default: 600,
    help: 'search requests a minute per API key (per client address on open routes), then 429 with `Retry-After`; `0`: no limit',
  },
  {
    path: 'search.maxEventLoopDelayMs',
    env: [env('ESCO_MAX_EVENT_LOOP_DELAY')],
    default: 1000,
    help: 'event-loop lag past which the service is saturated: every route answers 503 `saturated` with `Retry-After`; `0`: never',
  },
  {
    path: 'auth.reader',
    env: [secret('ESCO_READER_KEYS', apiKeys('reader'))],
    default: [],
    builtIn: true,
    shown: 'none: search open',
    help: 'API keys of the search routes: `name:secret` entries (or a bare secret), comma- or newline-separated, secrets ≥ 16 characters',
  },
  {
    path: 'auth.monitor',
    env: [secret('ESCO_MONITOR_KEYS', apiKeys('monitor'))],
    default: [],
    builtIn: true,
    shown: 'none: `/metrics` open',
    help: 'API keys of `GET /metrics`',
  },
  {
    path: 'auth.admin',
    env: [secret('ESCO_ADMIN_KEYS', apiKeys('admin'))],
    default: [],
    builtIn: true,
    shown: 'none: no operator API',
    help: 'API keys of `/admin/*` (and every other route); the operator API exists only with one',
  },
  {
    path: 'admin.weaviateApiKey',
    env: [secret('ESCO_ADMIN_WEAVIATE_API_KEY')],
    shown: '`weaviate.apiKey`',
    help: 'the Weaviate key (role `esco-init`) runs started over the operator API write with; the service itself reads with `weaviate.apiKey`',
  },
  {
    path: 'admin.retryAfterSeconds',
    env: [env('ESCO_ADMIN_RETRY_AFTER')],
    default: 10,
    builtIn: true,
    help: '`Retry-After` of the 503 answers',
  },
  {
    path: 'log.level',
    env: [env('LOG_LEVEL')],
    flag: { name: 'log-level', value: '<level>', help: 'trace | debug | info | warn | error | fatal | silent' },
    default: 'info',
    builtIn: true,
    help: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`',
  },
  {
    path: 'log.format',
    env: [env('LOG_FORMAT')],
    flag: { name: 'log-format', value: '<format>', help: 'json | pretty | auto' },
    default: 'auto',
    builtIn: true,
    help: '`json`, `pretty` or `auto`: readable lines on a terminal, NDJSON otherwise',
  },
  {
    path: 'nonInteractive',
    env: ['CI', 'DOCKER_ENV', 'NON_INTERACTIVE'].map((name) => env(name, { read: switchedOn })),
    default: false,
    builtIn: true,
    shown: 'off',
    help: 'never prompt: any of them set, but not empty or `false` (containers always set `NON_INTERACTIVE`)',
  },
];

/** The setting at `path`; a missing one is a programming error, caught by any test that loads it. */
export function settingAt(path: SettingPath): Setting {
  const setting = SETTINGS.find((s) => s.path === path);
  if (!setting) throw new Error(`no setting ${path} in src/config/settings.ts`);
  return setting;
}
