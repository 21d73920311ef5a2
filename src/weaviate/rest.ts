/**
 * Reading whole collections over REST (`GET /v1/objects?class=…&after=…`). Verification uses it
 * to read every stored reference list: REST returns the stored beacons as they are, while gRPC
 * and GraphQL load every target object, which is 4–6× slower for ESCO's ~300k references.
 */
import type { Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';

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

export interface RestObject {
  id: string;
  properties: Record<string, unknown>;
}

/**
 * The objects of `collection` in id order, a page at a time. `after`/`upTo` restrict the read to
 * the ids in (after, upTo], so that several ranges of one collection can be read at once.
 */
export async function* readRestPages(
  rest: RestEndpoint,
  collection: string,
  options: { pageSize?: number; signal?: AbortSignal; after?: string; upTo?: string } = {},
): AsyncGenerator<RestObject[]> {
  let after = options.after;
  const { upTo } = options;
  for (;;) {
    options.signal?.throwIfAborted();
    const query = new URLSearchParams({ class: collection, limit: String(options.pageSize ?? 500) });
    if (after) query.set('after', after);
    const url = new URL(`objects?${query}`, rest.url);
    const res = await fetch(url, { headers: rest.headers, signal: AbortSignal.timeout(120_000) });
    if (!res.ok) {
      throw new EscoInitError(
        'VERIFY_FAILED',
        `reading ${collection} back failed: HTTP ${res.status} ${await res.text()}`,
      );
    }
    const body = (await res.json()) as { objects?: RestObject[] };
    const objects = body.objects ?? [];
    const inRange = upTo === undefined ? objects : objects.filter((o) => o.id <= upTo);
    if (inRange.length > 0) yield inRange;
    if (inRange.length < objects.length || objects.length === 0) return;
    after = objects[objects.length - 1]?.id;
  }
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
