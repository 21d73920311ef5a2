/**
 * Which ranking runs: the request's mode and alpha, else the configured defaults, and bm25
 * (with a 400 for anything else) where the collection has no vectors.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/http-errors.ts';
import { type RankingDefaults, resolveRanking } from '../../src/search/mode.ts';

const HYBRID: RankingDefaults = { mode: 'hybrid', alpha: 0.5 };

function refusal(...args: Parameters<typeof resolveRanking>): { path: string; message: string } {
  try {
    resolveRanking(...args);
  } catch (error) {
    if (error instanceof BadRequest && error.issues.length === 1 && error.issues[0]) return error.issues[0];
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(args)}`);
}

describe('resolveRanking with vectors', () => {
  it('runs the configured defaults when the request names neither', () => {
    expect(resolveRanking({}, HYBRID, true)).toEqual({ mode: 'hybrid', alpha: 0.5 });
    expect(resolveRanking({}, { mode: 'hybrid', alpha: 0.8 }, true)).toEqual({ mode: 'hybrid', alpha: 0.8 });
    expect(resolveRanking({}, { mode: 'vector', alpha: 0.5 }, true)).toEqual({ mode: 'vector' });
    expect(resolveRanking({}, { mode: 'bm25', alpha: 0.5 }, true)).toEqual({ mode: 'bm25' });
  });

  it('runs the mode and alpha the request asks for', () => {
    expect(resolveRanking({ mode: 'vector' }, HYBRID, true)).toEqual({ mode: 'vector' });
    expect(resolveRanking({ mode: 'bm25' }, HYBRID, true)).toEqual({ mode: 'bm25' });
    expect(resolveRanking({ mode: 'hybrid', alpha: 0 }, HYBRID, true)).toEqual({ mode: 'hybrid', alpha: 0 });
    expect(resolveRanking({ alpha: 1 }, HYBRID, true)).toEqual({ mode: 'hybrid', alpha: 1 });
    expect(resolveRanking({ mode: 'hybrid' }, { mode: 'bm25', alpha: 0.3 }, true)).toEqual({
      mode: 'hybrid',
      alpha: 0.3,
    });
  });

  it('400: alpha when the mode that would run is not hybrid', () => {
    const byDefault = refusal({ alpha: 0.5 }, { mode: 'bm25', alpha: 0.5 }, true);
    expect(byDefault).toEqual({ path: 'alpha', message: expect.stringContaining('the default mode here is bm25') });
    const asked = refusal({ mode: 'vector', alpha: 0.5 }, HYBRID, true);
    expect(asked).toEqual({ path: 'alpha', message: expect.stringContaining('asks for mode=vector') });
  });
});

describe('resolveRanking without vectors (vectorizer none)', () => {
  it('runs bm25 whatever the configured default', () => {
    expect(resolveRanking({}, HYBRID, false)).toEqual({ mode: 'bm25' });
    expect(resolveRanking({}, { mode: 'vector', alpha: 0.5 }, false)).toEqual({ mode: 'bm25' });
    expect(resolveRanking({ mode: 'bm25' }, HYBRID, false)).toEqual({ mode: 'bm25' });
  });

  it.each(['vector', 'hybrid'] as const)('400: mode=%s says there are no vectors and to use mode=bm25', (mode) => {
    const issue = refusal({ mode }, HYBRID, false);
    expect(issue.path).toBe('mode');
    expect(issue.message).toMatch(/no vectors.*use mode=bm25/);
  });

  it('400: alpha says there are no vectors and to use mode=bm25', () => {
    const issue = refusal({ alpha: 0.5 }, HYBRID, false);
    expect(issue.path).toBe('alpha');
    expect(issue.message).toMatch(/no vectors.*use mode=bm25/);
  });
});
