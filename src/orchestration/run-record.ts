/**
 * The run record's bookkeeping, and how errors become run states: a signal (whatever was waiting
 * when it came) is an interrupted run, a wait past --wait-timeout is `gave_up`, anything else failed.
 */
import { EscoInitError, errorInfo, isEscoInitError } from '../errors.ts';
import type { Observation } from '../lease/lock.ts';
import type { RunRecord, RunState, Trigger } from '../status/status-store.ts';
import type { OrchestratorDeps } from './session.ts';

/** Runs that are not init's (rollback) give only what a run record names. */
export type RunDeps = Pick<OrchestratorDeps, 'owner' | 'datasetKey' | 'toolVersion' | 'force' | 'trigger'> & {
  /** Null until the run has read its dataset (a run the operator API has only queued). */
  fingerprint: string | null;
  schemaVersion: string | null;
};

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

export async function recordRunEnd(
  d: Pick<OrchestratorDeps, 'statusStore' | 'log'>,
  run: RunRecord,
  state: RunState,
  error: Error | null,
): Promise<void> {
  run.state = state;
  run.endedAt = new Date().toISOString();
  run.ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  if (error) run.error = errorInfo(error);
  try {
    await d.statusStore.writeRun(run);
  } catch (writeError) {
    if (!error) throw writeError;
    d.log.error({ err: writeError, runId: run.runId }, 'could not write the run record');
  }
}

/**
 * A holder that stopped beating (killed, frozen) cannot record its own end: the run that takes
 * its lease over does, so no record is left `running` by a process that is gone. Should the
 * holder only have been frozen, it finds itself fenced and writes its record again.
 */
export async function recordTakeover(
  d: Pick<OrchestratorDeps, 'statusStore' | 'log'>,
  previous: Observation,
  by: { runId: string; epoch: number },
): Promise<void> {
  const holder = previous.heartbeat;
  if (previous.condition !== 'stale' || !holder || holder.runId === by.runId) return;
  const run = await d.statusStore.readRun(holder.runId);
  if (!run || (run.state !== 'running' && run.state !== 'queued')) return;
  const silent = Math.round(previous.unchangedMs / 1000);
  const message = `taken over by run ${by.runId} (epoch ${by.epoch}): the heartbeat of epoch ${previous.epoch} did not move for ${silent} s, so the process was killed or stalled`;
  event(run, message);
  run.state = 'interrupted';
  run.endedAt = new Date().toISOString();
  run.ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  run.error = { code: 'TAKEN_OVER', message };
  await d.statusStore.writeRun(run);
  d.log.info({ runId: run.runId, by: by.runId }, 'recorded the run whose lease was taken over as interrupted');
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
