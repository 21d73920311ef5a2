/**
 * The vectorizer module as Weaviate reports it in `GET /v1/meta`: whether Weaviate runs it, and
 * whether it reaches its inference service. Weaviate answers meta by asking the service's own
 * /meta, and reports a failure as `{"error": …}` under the module's name, with the URL it tried;
 * otherwise it relays the model's configuration (hidden_size: the vector's dimension).
 *
 * Checked before the dataset is read and before the lease is taken, so that a Weaviate without
 * the module fails every copy in a second with the setting to change, instead of after a holder
 * has taken the lease and created half a schema.
 */

import { sleep } from '../clock.ts';
import { EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type RestEndpoint, restText } from './rest.ts';
import type { Vectorizer } from './schema.ts';

export type VectorizerState =
  | { state: 'missing'; modules: string[] }
  | { state: 'failing'; error: string }
  | { state: 'ok'; model?: string; dimensions?: number };

/** Weaviate asks the inference service for meta with its module timeout (50 s by default). */
const META_TIMEOUT_MS = 15_000;

export async function probeVectorizer(rest: RestEndpoint, module: Exclude<Vectorizer, 'none'>) {
  let text: string;
  try {
    text = await restText(rest, 'meta', { timeoutMs: META_TIMEOUT_MS });
  } catch (error) {
    return { state: 'failing', error: `GET /v1/meta: ${(error as Error).message}` } satisfies VectorizerState;
  }
  return vectorizerStateOf(JSON.parse(text), module);
}

export function vectorizerStateOf(meta: unknown, module: string): VectorizerState {
  const modules = (meta as { modules?: Record<string, unknown> })?.modules ?? {};
  const entry = modules[module] as { error?: unknown; model?: Record<string, unknown>; name?: unknown } | undefined;
  if (entry === undefined) return { state: 'missing', modules: Object.keys(modules).sort() };
  if (entry.error !== undefined) return { state: 'failing', error: String(entry.error) };
  const size = entry.model?.hidden_size;
  const name = entry.name ?? entry.model?._name_or_path;
  return {
    state: 'ok',
    ...(typeof name === 'string' && { model: name }),
    ...(typeof size === 'number' && { dimensions: size }),
  };
}

export function missingModule(url: string, module: string, modules: readonly string[]): EscoInitError {
  return new EscoInitError(
    'VECTORIZER_MISSING',
    `Weaviate at ${url} does not run the ${module} module (ingest.vectorizer, ESCO_VECTORIZER, asks for it; ` +
      `its vectorizer modules: ${modules.filter((m) => m.startsWith('text2vec')).join(', ') || 'none'}). ` +
      `Enable it in Weaviate (ENABLE_MODULES=${module} and TRANSFORMERS_INFERENCE_API=<the inference service's URL>), ` +
      'or run esco-init with ESCO_VECTORIZER=none for keyword search only (docker-compose.no-transformers.yml).',
    { details: { module, modules } },
  );
}

/** INFERENCE_UNAVAILABLE (exit 5): `what` failed because the module cannot use its service. */
export function inferenceUnavailable(
  module: string,
  reason: string,
  what: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): EscoInitError {
  return new EscoInitError(
    'INFERENCE_UNAVAILABLE',
    `${what}: Weaviate's ${module} module cannot use its inference service (Weaviate's TRANSFORMERS_INFERENCE_API): ${reason}. ` +
      'Check that service (docker compose: `docker compose logs t2v-transformers`); running again resumes where this run stopped.',
    { cause: options.cause, details: { module, reason, ...options.details } },
  );
}

export interface AwaitOptions {
  rest: RestEndpoint;
  url: string;
  module: Exclude<Vectorizer, 'none'>;
  timeoutSeconds: number;
  log: Logger;
  signal?: AbortSignal;
}

/** Polls until the module answers with its model; a missing module fails at once. */
export async function awaitVectorizer(o: AwaitOptions): Promise<Extract<VectorizerState, { state: 'ok' }>> {
  const deadline = performance.now() + o.timeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    const found = await probeVectorizer(o.rest, o.module);
    if (found.state === 'ok') return found;
    if (found.state === 'missing') throw missingModule(o.url, o.module, found.modules);
    if (performance.now() >= deadline) {
      throw inferenceUnavailable(o.module, found.error, `not ready within ${o.timeoutSeconds}s`);
    }
    if (attempt === 1 || attempt % 10 === 0) {
      o.log.info({ module: o.module, error: found.error }, 'waiting for the vectorizer to reach its inference service');
    }
    await sleep(Math.min(1000, Math.max(0, deadline - performance.now())), o.signal);
  }
}
