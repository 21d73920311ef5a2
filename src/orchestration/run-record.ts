/**
 * The run record's fields (init keeps its run's through a RunJournal, run-journal.ts), and how
 * errors become run states: a signal (whatever was waiting when it came) is an interrupted run, a
 * wait past --wait-timeout is `gave_up`, anything else failed.
 */
import { EscoInitError, errorInfo, isEscoInitError } from '../errors.ts';
import type { Owner } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import type { RunRecord, RunState, StatusStore, Trigger } from '../status/status-store.ts';

/** What a run record names. */
export interface RunDeps {
  owner: Owner;
  datasetKey: string;
  toolVersion: string;
  force: boolean;
  /** Who asked for the run over the operator API; null for the CLI and the init container. */
  trigger?: Trigger | null;
  /** Null until the run has read its dataset (a run the operator API has only queued). */
  fingerprint: string | null;
  schemaVersion: string | null;
}

export function newRun(d: RunDeps): RunRecord {
  return {
    runId: d.owner.runId,
    datasetKey: d.datasetKey,
    host: d.owner.host,
    pid: d.owner.pid,
    toolVersion: d.toolVersion,
    state: 'running',
    decision: '',
    force: d.force,
    fingerprint: d.fingerprint,
    schemaVersion: d.schemaVersion,
    epochs: [],
    startedAt: new Date().toISOString(),
    endedAt: null,
    ms: null,
    passes: [],
    resumed: [],
    counts: null,
    error: null,
    events: d.trigger ? [acceptance(d.trigger)] : [],
    trigger: d.trigger ?? null,
  };
}

/** The first event of a run the operator API accepted (its record said so while it was queued). */
export function acceptance(trigger: Trigger): RunRecord['events'][number] {
  return { at: trigger.at, event: `accepted over the operator API from ${trigger.by}` };
}

/** Ends the record as `state`, with the error that ended it. */
export function endRun(run: RunRecord, state: RunState, error: Error | null): void {
  run.state = state;
  run.endedAt = new Date().toISOString();
  run.ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  if (error) run.error = errorInfo(error);
}

/** Ends the record and writes it (init's runs do through their RunJournal); see RunJournal.failed. */
export async function recordRunEnd(
  d: { statusStore: StatusStore; log: Logger },
  run: RunRecord,
  state: RunState,
  error: Error | null,
): Promise<void> {
  endRun(run, state, error);
  try {
    await d.statusStore.writeRun(run);
  } catch (writeError) {
    if (!error) throw writeError;
    d.log.error({ err: writeError, runId: run.runId }, 'could not write the run record');
  }
}

export function event(run: RunRecord, text: string): void {
  run.events.push({ at: new Date().toISOString(), event: text });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw interrupted(signal);
}

export function interrupted(signal: AbortSignal): EscoInitError {
  if (signal.reason instanceof EscoInitError) return signal.reason;
  const term = signal.reason === 'SIGTERM';
  return new EscoInitError(
    term ? 'INTERRUPTED_SIGTERM' : 'INTERRUPTED_SIGINT',
    `interrupted by ${term ? 'SIGTERM' : 'SIGINT'}; the lease was released, run again to resume`,
  );
}

/** Signals surface as whatever was waiting (a sleep's rejection, a fetch abort): name them. */
export function normalize(error: unknown, signal: AbortSignal): EscoInitError | Error {
  if (error instanceof EscoInitError) return error;
  if (signal.aborted) return interrupted(signal);
  return error instanceof Error ? error : new Error(String(error));
}

export function stateOf(error: Error): RunState {
  if (isEscoInitError(error, 'LOCK_WAIT_TIMEOUT')) return 'gave_up';
  return isEscoInitError(error) && error.code.startsWith('INTERRUPTED') ? 'interrupted' : 'failed';
}
