import { describe, expect, it } from 'vitest';
import { mrrAtK, rankAt, recallAtK, score } from '../../bench/eval-metrics.ts';

describe('retrieval metrics', () => {
  it('ranks the answer 1-based within k only', () => {
    expect(rankAt(['a', 'b', 'c'], 'a', 10)).toBe(1);
    expect(rankAt(['a', 'b', 'c'], 'c', 10)).toBe(3);
    expect(rankAt(['a', 'b', 'c'], 'c', 2)).toBeNull();
    expect(rankAt(['a', 'b', 'c'], 'x', 10)).toBeNull();
    expect(rankAt([], 'x', 10)).toBeNull();
  });

  it('computes recall@k and MRR@k on hand-made rankings', () => {
    const ranks = [rankAt(['t', 'x'], 't', 10), rankAt(['x', 't'], 't', 10), rankAt(['x', 'y'], 't', 10), 4];
    expect(ranks).toEqual([1, 2, null, 4]);
    expect(recallAtK(ranks, 10)).toBe(0.75);
    expect(mrrAtK(ranks, 10)).toBeCloseTo((1 + 1 / 2 + 0 + 1 / 4) / 4, 12);
    // A rank beyond k counts as a miss.
    expect(recallAtK(ranks, 3)).toBe(0.5);
    expect(mrrAtK(ranks, 3)).toBeCloseTo((1 + 1 / 2) / 4, 12);
    expect(score(ranks, 10)).toEqual({ n: 4, recall: 0.75, mrr: mrrAtK(ranks, 10) });
  });

  it('scores no queries as 0, not NaN', () => {
    expect(score([], 10)).toEqual({ n: 0, recall: 0, mrr: 0 });
  });
});
