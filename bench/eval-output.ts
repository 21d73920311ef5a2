/**
 * What `npm run eval` leaves behind: bench/results/eval-<runtime>-<time>.json, rewritten after
 * every ranking (so a run that dies late keeps what it measured, marked incomplete), and the
 * markdown tables on stdout at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InferenceMeta } from '../scripts/local/inference.ts';
import { loadConfig } from '../src/config/config.ts';
import type { EvalMode, ModeRun } from './eval-queries.ts';
import { renderTable, renderTimes, scoreRuns } from './eval-report.ts';
import type { Split } from './eval-split.ts';
import { describeMachine, machine } from './machine.ts';

export interface EvalSettings {
  runtime: string;
  data: string[];
  fraction: number;
  seed: string;
  alphas: number[];
  modes: string[];
  k: number;
  concurrency: number;
}

export interface Outcome {
  split: Split;
  runs: { mode: EvalMode; run: ModeRun }[];
  weaviate?: string;
  /** The inference service's /meta: the runtime it chose, why, on which CPU. */
  runtime?: Pick<InferenceMeta, 'runtime' | 'runtime_choice' | 'cpu'>;
  ingest?: unknown;
  inference?: unknown;
  /** Phase → milliseconds. */
  timing: Record<string, number>;
  /** os.loadavg() at the start, and at the end of each phase: the machine is shared. */
  load: number[][];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Writes (or rewrites) the JSON report; `complete` is false while rankings are still to run. */
export function writeJson(file: string, settings: EvalSettings, o: Outcome, complete: boolean): void {
  const scores = scoreRuns(o.split.heldOut, o.runs, settings.k);
  const queries = o.split.heldOut.map((q, i) => ({
    ...q,
    ranks: Object.fromEntries(o.runs.map(({ mode, run }) => [mode.name, run.ranks[i]])),
  }));
  const errors = Object.fromEntries(o.runs.map(({ mode, run }) => [mode.name, run.errors.slice(0, 20)]));
  const report = {
    at: new Date().toISOString(),
    complete,
    settings,
    machine: { ...machine(), node: process.version, loadavg: o.load },
    weaviate: o.weaviate,
    runtime: o.runtime,
    inference: o.inference,
    ingest: o.ingest,
    timing: o.timing,
    split: o.split.stats,
    scores,
    errors,
    queries,
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
}

export function renderMarkdown(settings: EvalSettings, o: Outcome, file: string): string {
  const scores = scoreRuns(o.split.heldOut, o.runs, settings.k);
  const runtime = o.runtime
    ? `${o.runtime.runtime} (${o.runtime.runtime_choice.requested}: ${o.runtime.runtime_choice.reason})`
    : settings.runtime;
  const config = loadConfig({}, {});
  const { occupation: occ, skill } = o.split.stats;
  const t = o.timing;
  const load = o.load.map((l) => l.map((x) => x.toFixed(1)).join('/')).join(' → ');
  return [
    `## retrieval on held-out ESCO labels: runtime ${o.runtime?.runtime ?? settings.runtime}, ${new Date().toISOString()}`,
    '',
    `${settings.fraction * 100} % of each type's candidate altLabels held out (seed "${settings.seed}"): occupations ${occ.heldOut} of ${occ.candidates} (${occ.ambiguous} ambiguous), skills ${skill.heldOut} of ${skill.candidates} (${skill.ambiguous} ambiguous). Weaviate ${o.weaviate}; inference runtime ${runtime}; CPU ${describeMachine()}; Node ${process.version}; configured default: ${config.search.mode} α=${config.search.alpha}.`,
    '',
    '### unambiguous held-out labels (the headline: the source concept is the only right answer)',
    '',
    renderTable(scores, settings.k, 'unambiguous'),
    '',
    '### ambiguous held-out labels (also a label of another concept of the same type)',
    '',
    renderTable(scores, settings.k, 'ambiguous'),
    '',
    `wall time ${seconds(t.totalMs ?? 0)}: copy ${seconds(t.copyMs ?? 0)}, ingest ${seconds(t.ingestMs ?? 0)}; queries (concurrency ${settings.concurrency}): ${renderTimes(o.runs, o.split.heldOut.length)}; load average (1/5/15 min) ${load}`,
    '',
    `JSON: ${file}`,
  ].join('\n');
}
