/**
 * Whether a run could start now. An admin request is answered at once: a run that would only wait
 * for Weaviate or its inference service (as `init` does at start-up) is refused with a 503 and
 * Retry-After instead of being accepted into a wait nobody watches.
 */
import { type RestEndpoint, readinessProblem } from '../weaviate/rest.ts';
import type { Vectorizer } from '../weaviate/schema.ts';
import { probeVectorizer } from '../weaviate/vectorizer.ts';

/** Null when ready; else what is not, in words for the 503's message. */
export type UpstreamCheck = () => Promise<string | null>;

export function upstreamCheck(rest: RestEndpoint, vectorizer: Vectorizer): UpstreamCheck {
  return async () => {
    const weaviate = await readinessProblem(rest);
    if (weaviate) return weaviate;
    if (vectorizer === 'none') return null;
    const found = await probeVectorizer(rest, vectorizer);
    if (found.state === 'ok') return null;
    if (found.state === 'missing') return `Weaviate does not run the ${vectorizer} module`;
    return `the ${vectorizer} module cannot reach its inference service: ${found.error}`;
  };
}
