/**
 * Runs the held-out labels as searches, exactly as `GET /search?q=<label>&type=<type>&mode=…`
 * does: the service's own parameter parsing (params.ts), ranking resolution (mode.ts) and
 * Weaviate query (SearchQueries in queries.ts, with its query properties and fusion), minus HTTP.
 * A few searches are in flight at a time, as a service under load would have them.
 */
import type { SearchMode } from '../src/config/config.ts';
import { resolveRanking } from '../src/search/mode.ts';
import { parseSearchQuery } from '../src/search/params.ts';
import { PUBLISHED_NAMES, type SearchQueries } from '../src/search/queries.ts';
import { rankAt } from './eval-metrics.ts';
import type { HeldOutLabel } from './eval-split.ts';

export interface EvalMode {
  /** e.g. "bm25", "vector", "hybrid α=0.5" */
  name: string;
  mode: SearchMode;
  alpha?: number;
}

export function evalModes(alphas: readonly number[]): EvalMode[] {
  const hybrid = alphas.map((alpha): EvalMode => ({ name: `hybrid α=${alpha}`, mode: 'hybrid', alpha }));
  return [{ name: 'bm25', mode: 'bm25' }, { name: 'vector', mode: 'vector' }, ...hybrid];
}

export interface ModeRun {
  /** Rank of the source concept per query (same order as the queries), null beyond k. */
  ranks: (number | null)[];
  /** Queries the service refused or Weaviate failed, with the reason: counted as not found. */
  errors: { index: number; label: string; message: string }[];
  /** Searches that failed once and were tried again. */
  retried: number;
  ms: number;
}

export async function runMode(
  queries: SearchQueries,
  items: readonly HeldOutLabel[],
  mode: EvalMode,
  options: { k: number; concurrency: number },
): Promise<ModeRun> {
  const started = performance.now();
  const errors: ModeRun['errors'] = [];
  const attempt = async (item: HeldOutLabel) =>
    rankAt(await search(queries, item, mode, options.k), item.uri, options.k);
  const failed: number[] = [];
  const ranks = await mapPool(items, options.concurrency, async (item, index) =>
    attempt(item).catch(() => {
      failed.push(index);
      return null;
    }),
  );
  // A search that failed once is tried again after a pause (a busy server's hiccup); what fails
  // twice is reported, never silently scored.
  if (failed.length > 0) await new Promise((r) => setTimeout(r, 2000));
  await mapPool(failed, options.concurrency, async (index) => {
    const item = items[index] as HeldOutLabel;
    ranks[index] = await attempt(item).catch((error: Error) => {
      errors.push({ index, label: item.label, message: error.message });
      return null;
    });
  });
  return { ranks, errors, retried: failed.length, ms: performance.now() - started };
}

/** The URIs `GET /search` would answer with, in order. */
async function search(queries: SearchQueries, item: HeldOutLabel, mode: EvalMode, k: number): Promise<string[]> {
  const query: Record<string, string> = { q: item.label, type: item.type, limit: String(k), mode: mode.mode };
  if (mode.alpha !== undefined) query.alpha = String(mode.alpha);
  const { q, type, limit, filters, ...asked } = parseSearchQuery(query);
  // The defaults do not matter: mode (and alpha for hybrid) are always asked for.
  const ranking = resolveRanking(asked, { mode: 'bm25', alpha: 0.5 }, await queries.hasVectors(PUBLISHED_NAMES, type));
  if (ranking.mode !== mode.mode) throw new Error(`the collection of ${type}s has no vectors: ran ${ranking.mode}`);
  const hits = await queries.search(PUBLISHED_NAMES, { type, q, limit, ranking, filters });
  return hits.map((h) => h.uri);
}

/** `fn` over every item with at most `n` in flight; results in the items' order. */
export async function mapPool<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return results;
}
