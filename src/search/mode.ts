/**
 * Which ranking a search runs: the request's `mode`/`alpha`, else the configured defaults
 * (`search.mode`, `search.alpha`: the one place they live), and never a vector ranking where the
 * collection has no vectors (a deployment without the transformers module).
 */
import type { SearchMode } from '../config/config.ts';
import { BadRequest } from '../http-errors.ts';

export type Ranking = { mode: 'bm25' } | { mode: 'vector' } | { mode: 'hybrid'; alpha: number };

export interface RankingDefaults {
  mode: SearchMode;
  alpha: number;
}

const NO_VECTORS = 'this deployment has no vectors (vectorizer none): use mode=bm25';

export function resolveRanking(
  asked: { mode?: SearchMode; alpha?: number },
  defaults: RankingDefaults,
  hasVectors: boolean,
): Ranking {
  if (!hasVectors) {
    if (asked.mode !== undefined && asked.mode !== 'bm25') {
      throw new BadRequest([{ path: 'mode', message: `mode=${asked.mode} needs vectors, and ${NO_VECTORS}` }]);
    }
    if (asked.alpha !== undefined) {
      throw new BadRequest([{ path: 'alpha', message: `alpha weighs mode=hybrid, and ${NO_VECTORS} without alpha` }]);
    }
    return { mode: 'bm25' };
  }
  const mode = asked.mode ?? defaults.mode;
  if (mode === 'hybrid') return { mode, alpha: asked.alpha ?? defaults.alpha };
  if (asked.alpha !== undefined) {
    const why = asked.mode ? `this search asks for mode=${mode}` : `the default mode here is ${mode}: add mode=hybrid`;
    throw new BadRequest([{ path: 'alpha', message: `alpha weighs mode=hybrid only, and ${why}` }]);
  }
  return { mode };
}
