/**
 * The heart of `init`, independent of where status and lease live (tested with in-memory stores):
 *
 *   decide ─ skip ──────────────────────────────────────────────► exit 0 (skipped)
 *      └ ingest → loop: status complete? ──────────────────────► exit 0 (waited)
 *                       tryAcquire ─ held by a live holder → sleep, until --wait-timeout (exit 4)
 *                                  └ acquired → check again → passes → publish → exit 0 (ingested)
 *                                               lost the lease → back to the loop (bounded)
 *                                               failed → status failed, release, rethrow
 *
 * Like node-pg-migrate: lock → try → finally unlock. A holder that is superseded stops writing
 * (every batch and the publish pass are guarded) and becomes a follower.
 */

import { EscoInitError } from '../errors.ts';
import type { AcquireResult, Lease, Observation } from '../lease/lock.ts';
import type { DatasetStatus, RunRecord, RunState } from '../status/status-store.ts';
import { type Decision, decide } from './decision.ts';
import { Holder, releaseLease } from './holder.ts';
import { type RunDecision, RunJournal } from './run-journal.ts';
import { normalize, stateOf, throwIfAborted } from './run-record.ts';
import type { OrchestratorDeps } from './session.ts';

/** Consecutive failed polls a waiter tolerates before it fails. */
const MAX_POLL_FAILURES = 10;

export interface InitOutcome {
  state: Extract<RunState, 'ingested' | 'skipped' | 'waited'>;
  run: RunRecord;
  /** The decision `run.decision` words. */
  decision: RunDecision;
  /** Milliseconds from start (Weaviate ready) to the first decision. */
  decisionMs: number;
}

export async function orchestrate(d: OrchestratorDeps): Promise<InitOutcome> {
  const journal = new RunJournal(d);
  const startEpoch = d.force ? (await d.lock.observe()).epoch : 0;
  const status = await d.statusStore.readStatus(d.datasetKey);
  const decision = await decideFor(d, status, startEpoch);
  journal.decided(decision);
  if (decision.action === 'skip') return finish(journal, 'skipped');
  if (decision.replacesCompleteData && d.confirm) {
    const yes = await d.confirm(`Weaviate holds a complete ESCO dataset; ${decision.reason}. Re-ingest?`);
    if (!yes) {
      journal.decided({ action: 'declined', reason: decision.reason });
      return finish(journal, 'skipped');
    }
  }
  try {
    await d.prepare?.();
    await journal.save();
    return await acquireOrFollow(d, journal, startEpoch);
  } catch (error) {
    const failure = normalize(error, d.signal);
    if (journal.running) await journal.failed(failure);
    throw failure;
  }
}

async function decideFor(d: OrchestratorDeps, status: DatasetStatus | null, startEpoch: number): Promise<Decision> {
  const published = await d.generations.published();
  const { fingerprint, schemaVersion, force } = d;
  return decide({ status, fingerprint, schemaVersion, force, startEpoch, published });
}

async function acquireOrFollow(d: OrchestratorDeps, journal: RunJournal, startEpoch: number): Promise<InitOutcome> {
  // --wait-timeout bounds waiting for others: time spent holding the lease ourselves does not count.
  let waitStarted = d.clock.now();
  let attempts = 0;
  let lastReport = Number.NEGATIVE_INFINITY;
  let failures = 0;
  for (;;) {
    throwIfAborted(d.signal);
    let result: AcquireResult;
    try {
      const status = await d.statusStore.readStatus(d.datasetKey);
      if ((await decideFor(d, status, startEpoch)).action === 'skip') {
        journal.note(`the data was completed by run ${status?.runId} (epoch ${status?.epoch})`);
        return finish(journal, 'waited');
      }
      result = await d.lock.tryAcquire();
      failures = 0;
    } catch (error) {
      // A waiter outlives a Weaviate hiccup (a restart during a long ingest), within bounds.
      if (error instanceof EscoInitError || ++failures > MAX_POLL_FAILURES) throw error;
      d.log.warn({ err: error, failures }, 'could not read the status or the lease; trying again');
      await d.clock.sleep(d.pollMs, d.signal).catch(() => throwIfAborted(d.signal));
      continue;
    }
    if (result.lease) {
      attempts += 1;
      const outcome = await holdAndIngest(d, journal, result.lease, result.previous, startEpoch);
      if (outcome) return outcome;
      if (attempts >= d.maxAttempts) throw gaveUpAfterLosses(attempts);
      waitStarted = d.clock.now();
      continue;
    }
    const waited = d.clock.now() - waitStarted;
    if (waited >= d.waitTimeoutMs) throw waitTimeout(d, result.observation, waited);
    if (d.clock.now() - lastReport >= 10_000) {
      lastReport = d.clock.now();
      reportWaiting(d, result.observation, waited);
    }
    await d.clock.sleep(d.pollMs, d.signal).catch(() => throwIfAborted(d.signal));
  }
}

/** Returns null when the lease was lost (the caller follows again); throws when the run failed. */
async function holdAndIngest(
  d: OrchestratorDeps,
  journal: RunJournal,
  lease: Lease,
  previous: Observation,
  startEpoch: number,
): Promise<InitOutcome | null> {
  journal.acquired(lease.epoch, describePrevious(previous));
  d.log.info({ epoch: lease.epoch, previous: previous.condition }, 'acquired the ingestion lease');
  lease.startHeartbeat();
  const holder = new Holder(d, journal, lease);
  try {
    await journal.takenOver(previous, lease.epoch);
    // Double-checked: another holder may have completed the data between our look and our lease.
    const status = await d.statusStore.readStatus(d.datasetKey);
    const decision = await decideFor(d, status, startEpoch);
    if (decision.action === 'skip') {
      journal.note(`already completed by run ${status?.runId}; nothing to do`);
      await releaseLease(d, lease, 'skipped');
      return finish(journal, 'waited');
    }
    journal.decided(decision);
    if (decision.switchTo !== undefined) await holder.finishSwitch(decision.switchTo, status);
    else await holder.ingest(status, decision.resume);
  } catch (error) {
    const failure = normalize(error, d.signal);
    if (stateOf(failure) !== 'interrupted' && (await holder.superseded(failure))) {
      await holder.lost(failure);
      return null;
    }
    await holder.fail(failure);
    throw failure;
  }
  await releaseLease(d, lease, 'completed');
  return finish(journal, 'ingested');
}

/** The run ends as `state`: its record is written, and the outcome read from it. */
async function finish(journal: RunJournal, state: InitOutcome['state']): Promise<InitOutcome> {
  await journal.ended(state);
  return { state, run: journal.record, decision: journal.decision, decisionMs: journal.decisionMs };
}

function describePrevious(o: Observation): string {
  if (o.condition === 'none') return 'first lease on this Weaviate';
  const who = o.heartbeat ? `run ${o.heartbeat.runId} on ${o.heartbeat.host}` : 'a holder that never beat';
  if (o.condition === 'released') return `epoch ${o.epoch} released by ${who} (${o.heartbeat?.releasedReason})`;
  return `took over epoch ${o.epoch} from ${who}: no heartbeat for ${Math.round(o.unchangedMs / 1000)} s`;
}

function reportWaiting(d: OrchestratorDeps, o: Observation, waitedMs: number): void {
  const h = o.heartbeat;
  d.log.info(
    {
      epoch: o.epoch,
      holder: h ? { runId: h.runId, host: h.host, pid: h.pid } : null,
      progress: h?.progress ?? null,
      silentSeconds: Math.round(o.unchangedMs / 1000),
      waitedSeconds: Math.round(waitedMs / 1000),
    },
    'another process holds the ingestion lease; waiting for it to complete',
  );
}

function waitTimeout(d: OrchestratorDeps, o: Observation, waitedMs: number): EscoInitError {
  const holder = o.heartbeat
    ? `run ${o.heartbeat.runId} on ${o.heartbeat.host} (pid ${o.heartbeat.pid})`
    : 'another process';
  return new EscoInitError(
    'LOCK_WAIT_TIMEOUT',
    `gave up after waiting ${Math.round(waitedMs / 1000)} s (--wait-timeout ${d.waitTimeoutMs / 1000} s) for ${holder}, which holds epoch ${o.epoch} of the ingestion lease and is still beating. Raise --wait-timeout, or check that process; \`esco-init status\` shows its progress.`,
  );
}

function gaveUpAfterLosses(attempts: number): EscoInitError {
  return new EscoInitError(
    'LOCK_LOST',
    `lost the ingestion lease ${attempts} times (the process was paused or Weaviate was too slow to confirm heartbeats); giving up. Check the host's load and lock.ttlSeconds.`,
  );
}
