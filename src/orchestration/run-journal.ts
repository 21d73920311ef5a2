/**
 * One init run's record, owned: created once per run, it words the decision, keeps the time the
 * first one took, notes events and writes the record through the status store. The orchestrator
 * and the holder say what happened; the journal knows how that is recorded.
 */
import type { Clock } from '../clock.ts';
import type { Manifest } from '../ingest/pipeline.ts';
import type { Observation } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import type { Counts, RunRecord, RunState, StatusStore } from '../status/status-store.ts';
import type { Decision } from './decision.ts';
import { endRun, event, newRun, type RunDeps, recordRunEnd, stateOf } from './run-record.ts';

/**
 * What a run went by, for code to branch on: decide()'s verdict, or the operator declining the
 * re-ingest it asked about. The record words it as `<action>: <reason>`.
 */
export interface RunDecision {
  action: Decision['action'] | 'declined';
  reason: string;
}

export type JournalDeps = RunDeps & {
  statusStore: StatusStore;
  log: Logger;
  clock: Clock;
  /** When the clock started for `decisionMs` (default: when the journal begins). */
  startedAt?: number;
};

export class RunJournal {
  readonly record: RunRecord;
  readonly #store: StatusStore;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #startedAt: number;
  #decision: RunDecision = { action: 'ingest', reason: '' };
  /** Milliseconds from the start to the first decision; null until it is made. */
  #decisionMs: number | null = null;

  constructor(d: JournalDeps) {
    this.record = newRun(d);
    this.#store = d.statusStore;
    this.#log = d.log;
    this.#clock = d.clock;
    this.#startedAt = d.startedAt ?? d.clock.now();
  }

  get runId(): string {
    return this.record.runId;
  }

  /** The decision the run goes by (the latest: taking the lease decides again). */
  get decision(): RunDecision {
    return { ...this.#decision };
  }

  get decisionMs(): number {
    return this.#decisionMs ?? 0;
  }

  /** Still running: nothing has ended the record yet. */
  get running(): boolean {
    return this.record.state === 'running';
  }

  /** The run goes by `decision`; the first one is timed and logged. */
  decided(decision: RunDecision): void {
    this.#decision = { action: decision.action, reason: decision.reason };
    this.record.decision = `${decision.action}: ${decision.reason}`;
    if (this.#decisionMs !== null) return;
    this.#decisionMs = Math.round(this.#clock.now() - this.#startedAt);
    const { action, reason } = decision;
    this.#log.info({ decision: action, reason, decisionMs: this.#decisionMs }, `decision: ${this.record.decision}`);
  }

  /** Something the record keeps, as it happens. */
  note(text: string): void {
    event(this.record, text);
  }

  acquired(epoch: number, previous: string): void {
    this.record.epochs.push(epoch);
    this.note(`acquired the lease, epoch ${epoch} (${previous})`);
  }

  /** The passes this holding runs, and those it resumes: the record shows their progress. */
  planned(manifest: Manifest): void {
    this.record.passes = manifest.passes;
    this.record.resumed = manifest.resumed;
  }

  counted(counts: Counts | null): void {
    this.record.counts = counts;
  }

  /** Writes the record as it stands (the run goes on). */
  save(): Promise<void> {
    return this.#store.writeRun(this.record);
  }

  /** Ends the record as `state` and writes it; a write failure is thrown (nothing else failed). */
  ended(state: RunState): Promise<void> {
    return this.#end(state, null);
  }

  /** Ends the record with the state the error means; a write failure is logged, the error wins. */
  failed(error: Error): Promise<void> {
    return this.#end(stateOf(error), error);
  }

  #end(state: RunState, error: Error | null): Promise<void> {
    return recordRunEnd({ statusStore: this.#store, log: this.#log }, this.record, state, error);
  }

  /**
   * A holder that stopped beating (killed, frozen) cannot record its own end: this run, taking its
   * lease over at `epoch`, does, so no record is left `running` by a process that is gone. Should
   * the holder only have been frozen, it finds itself fenced and writes its record again.
   */
  async takenOver(previous: Observation, epoch: number): Promise<void> {
    const holder = previous.heartbeat;
    if (previous.condition !== 'stale' || !holder || holder.runId === this.runId) return;
    const run = await this.#store.readRun(holder.runId);
    if (!run || (run.state !== 'running' && run.state !== 'queued')) return;
    const silent = Math.round(previous.unchangedMs / 1000);
    const message = `taken over by run ${this.runId} (epoch ${epoch}): the heartbeat of epoch ${previous.epoch} did not move for ${silent} s, so the process was killed or stalled`;
    event(run, message);
    endRun(run, 'interrupted', null);
    run.error = { code: 'TAKEN_OVER', message };
    await this.#store.writeRun(run);
    this.#log.info({ runId: run.runId, by: this.runId }, 'recorded the run whose lease was taken over as interrupted');
  }
}
