/**
 * Weaviate's REST API: batch writes (src/weaviate/batch-writer.ts), reading whole collections
 * (`GET /v1/objects?class=…&after=…`) and single objects (`GET /v1/objects/{class}/{id}`).
 * Verification reads stored reference lists this way: REST returns the stored beacons as they are,
 * while gRPC and GraphQL load every target object, which is 4–6× slower for ESCO's ~300k
 * references.
 */
import type { Config } from '../config/config.ts';
import { failureKind, RestStatusError } from './failure.ts';
import { type RetryOptions, retrying } from './retry.ts';

export interface RestEndpoint {
  /** Base URL ending in /v1/. */
  url: string;
  headers: Record<string, string>;
}

export function restEndpoint(settings: Config['weaviate']): RestEndpoint {
  const base = settings.url.endsWith('/') ? settings.url : `${settings.url}/`;
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
  return { url: new URL('v1/', base).href, headers };
}

/** Per request: a batch of a few hundred objects takes well under a second on a healthy server. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * A request to Weaviate's REST API, answered with the body's text. An answer other than 2xx throws
 * RestStatusError (the status, and Weaviate's body); a failed connection throws an Error whose
 * cause is fetch's (carrying the socket code), and a timeout one whose cause is the TimeoutError:
 * failure.ts reads all three.
 */
export async function restText(
  rest: RestEndpoint,
  path: string,
  init: { method?: string; body?: string; timeoutMs?: number } = {},
) {
  const headers = { ...rest.headers, ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const { timeoutMs = REQUEST_TIMEOUT_MS, ...request } = init;
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL(path, rest.url), { ...request, headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text(); // a connection dropped mid-body fails here, with the same causes
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause ? ` (${[cause.code, cause.message].filter(Boolean).join(': ')})` : '';
    throw new Error(`${init.method ?? 'GET'} ${path}: ${(error as Error).message}${detail}`, { cause: error });
  }
  if (!res.ok) {
    const message = `${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`;
    throw new RestStatusError(message, res.status, text);
  }
  return text;
}

/**
 * Null when Weaviate answers its readiness probe; else why not, in words. Quick by design (3 s at
 * most): callers decide from it whether to try Weaviate at all.
 */
export async function readinessProblem(rest: RestEndpoint): Promise<string | null> {
  const url = new URL('.well-known/ready', rest.url);
  try {
    const res = await fetch(url, { headers: rest.headers, signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.ok ? null : `Weaviate is not ready (GET ${url.pathname}: HTTP ${res.status})`;
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    return `Weaviate is not reachable at ${rest.url} (${cause?.message ?? (error as Error).message})`;
  }
}

/** A JSON request to Weaviate's REST API, answered with the parsed body (see restText). */
export async function restRequest(rest: RestEndpoint, path: string, init: { method?: string; body?: string } = {}) {
  return JSON.parse(await restText(rest, path, init)) as unknown;
}

export interface RestObject {
  id: string;
  properties: Record<string, unknown>;
  /** Named vectors, when asked for (`include=vector`). */
  vectors?: Record<string, unknown>;
}

/**
 * The objects of `collection` in id order, a page at a time. `after`/`upTo` restrict the read to
 * the ids in (after, upTo], so that several ranges of one collection can be read at once.
 */
export async function* readRestPages(
  rest: RestEndpoint,
  collection: string,
  options: { pageSize?: number; after?: string; upTo?: string; vectors?: boolean } & RetryOptions,
): AsyncGenerator<RestObject[]> {
  let after = options.after;
  const { upTo } = options;
  for (;;) {
    options.signal.throwIfAborted();
    const query = new URLSearchParams({ class: collection, limit: String(options.pageSize ?? 500) });
    if (after) query.set('after', after);
    if (options.vectors) query.set('include', 'vector');
    const read = () => restRequest(rest, `objects?${query}`);
    const body = (await retrying(options, `reading ${collection} back`, read, 'VERIFY_FAILED')) as {
      objects?: RestObject[];
    };
    const objects = body.objects ?? [];
    const inRange = upTo === undefined ? objects : objects.filter((o) => o.id <= upTo);
    if (inRange.length > 0) yield inRange;
    if (inRange.length < objects.length || objects.length === 0) return;
    after = objects[objects.length - 1]?.id;
  }
}

/** One stored object with its properties and beacons; null when there is no such object. */
export async function readRestObject(
  rest: RestEndpoint,
  collection: string,
  id: string,
  options: RetryOptions & { vectors?: boolean },
): Promise<RestObject | null> {
  const path = `objects/${collection}/${id}${options.vectors ? '?include=vector' : ''}`;
  const read = async () => {
    try {
      return JSON.parse(await restText(rest, path)) as RestObject;
    } catch (error) {
      if (failureKind(error) === 'not-found') return null;
      throw error;
    }
  };
  return retrying(options, `reading ${collection} ${id} back`, read, 'VERIFY_FAILED');
}

/**
 * Splits the id space into ranges of about `size` of the given ids each, as (after, upTo] pairs
 * covering every possible id (the first starts at the beginning, the last runs to the end).
 * Weaviate's cursor orders by id, and lower-case uuids sort as strings in that order.
 */
export function idRanges(ids: readonly string[], size: number): { after?: string; upTo?: string }[] {
  const sorted = [...ids].sort();
  const ranges: { after?: string; upTo?: string }[] = [];
  let after: string | undefined;
  for (let i = size - 1; i < sorted.length - 1; i += size) {
    const upTo = sorted[i];
    ranges.push({ after, upTo });
    after = upTo;
  }
  ranges.push({ after });
  return ranges;
}

/** Target ids of a reference property as REST returns it: `[{ beacon: "weaviate://localhost/Class/<id>" }]`. */
export function beaconIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((ref: { beacon?: string }) => ref.beacon?.slice(ref.beacon.lastIndexOf('/') + 1) ?? '');
}
