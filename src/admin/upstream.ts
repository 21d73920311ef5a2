/**
 * Whether a run could start now. An admin request is answered at once: a run that would only wait
 * for Weaviate or its inference service (as `init` does at start-up) is refused with a 503 and
 * Retry-After instead of being accepted into a wait nobody watches.
 */
import type { RestEndpoint } from '../weaviate/rest.ts';
import type { Vectorizer } from '../weaviate/schema.ts';
import { probeVectorizer } from '../weaviate/vectorizer.ts';

/** Null when ready; else what is not, in words for the 503's message. */
export type UpstreamCheck = () => Promise<string | null>;

const READY_TIMEOUT_MS = 3000;

export function upstreamCheck(rest: RestEndpoint, vectorizer: Vectorizer): UpstreamCheck {
  return async () => {
    const weaviate = await weaviateNotReady(rest);
    if (weaviate) return weaviate;
    if (vectorizer === 'none') return null;
    const found = await probeVectorizer(rest, vectorizer);
    if (found.state === 'ok') return null;
    if (found.state === 'missing') return `Weaviate does not run the ${vectorizer} module`;
    return `the ${vectorizer} module cannot reach its inference service: ${found.error}`;
  };
}

async function weaviateNotReady(rest: RestEndpoint): Promise<string | null> {
  const url = new URL('.well-known/ready', rest.url);
  try {
    const res = await fetch(url, { headers: rest.headers, signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
    return res.ok ? null : `Weaviate is not ready (GET ${url.pathname}: HTTP ${res.status})`;
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    return `Weaviate is not reachable at ${rest.url} (${cause?.message ?? (error as Error).message})`;
  }
}
