/**
 * Retrieval metrics of `npm run eval`, for queries with one right answer: where the answer ranks
 * (1-based) among the first k results, recall@k (the share of queries that find it there) and
 * MRR@k (the mean of 1/rank, 0 when it is not there). Pure.
 */

export interface Score {
  /** Queries scored. */
  n: number;
  recall: number;
  mrr: number;
}

/** 1-based rank of `target` among the first `k` of `ranking`, or null when it is not there. */
export function rankAt(ranking: readonly string[], target: string, k: number): number | null {
  const at = ranking.slice(0, k).indexOf(target);
  return at < 0 ? null : at + 1;
}

/** Share of queries whose answer ranks within k (ranks from rankAt; null = not found). */
export function recallAtK(ranks: readonly (number | null)[], k: number): number {
  if (ranks.length === 0) return 0;
  return ranks.filter((r) => r !== null && r <= k).length / ranks.length;
}

/** Mean reciprocal rank, counting only answers within k. */
export function mrrAtK(ranks: readonly (number | null)[], k: number): number {
  if (ranks.length === 0) return 0;
  let sum = 0;
  for (const r of ranks) if (r !== null && r <= k) sum += 1 / r;
  return sum / ranks.length;
}

export function score(ranks: readonly (number | null)[], k: number): Score {
  return { n: ranks.length, recall: recallAtK(ranks, k), mrr: mrrAtK(ranks, k) };
}
