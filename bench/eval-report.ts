/**
 * The tables of `npm run eval`: per collection and ranking, recall@k and MRR@k of the concept a
 * held-out label was taken from. The headline table scores the unambiguous labels; labels that
 * are also a label of another concept of the same type have more than one right answer, so a
 * miss there is not necessarily a miss: they are scored in a table of their own.
 */
import type { ConceptType } from '../src/search/concepts.ts';
import { type Score, score } from './eval-metrics.ts';
import type { EvalMode, ModeRun } from './eval-queries.ts';
import type { HeldOutLabel } from './eval-split.ts';

export interface ModeScores {
  mode: string;
  type: ConceptType;
  unambiguous: Score;
  ambiguous: Score;
  errors: number;
  ms: number;
}

const COLLECTION: Record<ConceptType, string> = { occupation: 'Occupation', skill: 'Skill' };

export function scoreRuns(
  items: readonly HeldOutLabel[],
  runs: readonly { mode: EvalMode; run: ModeRun }[],
  k: number,
): ModeScores[] {
  const out: ModeScores[] = [];
  for (const type of ['occupation', 'skill'] as const) {
    for (const { mode, run } of runs) {
      const pick = (ambiguous: boolean) =>
        run.ranks.filter((_, i) => items[i]?.type === type && (items[i]?.alsoLabelOf.length ?? 0) > 0 === ambiguous);
      const errors = run.errors.filter((e) => items[e.index]?.type === type).length;
      out.push({
        mode: mode.name,
        type,
        unambiguous: score(pick(false), k),
        ambiguous: score(pick(true), k),
        errors,
        ms: run.ms,
      });
    }
  }
  return out;
}

export function renderTable(scores: readonly ModeScores[], k: number, which: 'unambiguous' | 'ambiguous'): string {
  const best = new Map<ConceptType, number>();
  for (const s of scores) best.set(s.type, Math.max(best.get(s.type) ?? 0, s[which].recall));
  const rows = scores.map((s) => {
    const r = s[which];
    const recall = r.recall.toFixed(3);
    const mark = r.recall === best.get(s.type) && r.n > 0 ? `**${recall}**` : recall;
    const errors = s.errors > 0 ? ` (${s.errors} failed)` : '';
    return `| ${COLLECTION[s.type]} | ${s.mode} | ${mark} | ${r.mrr.toFixed(3)} | ${r.n}${errors} |`;
  });
  return [
    `| collection | mode | recall@${k} | MRR@${k} | n queries |`,
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** Wall time of each ranking's run over all queries (both types). */
export function renderTimes(runs: readonly { mode: EvalMode; run: ModeRun }[], queries: number): string {
  return runs
    .map(
      ({ mode, run }) => `${mode.name} ${(run.ms / 1000).toFixed(0)} s (${Math.round(queries / (run.ms / 1000))} q/s)`,
    )
    .join(', ');
}
