/**
 * `esco-init rollback`: publishes an earlier complete generation again, under the ingestion lease
 * and in the holder's publish order (status record, which the search service pins, then the
 * aliases), every write fenced. It drops nothing: the generation rolled back from stays, so a
 * second rollback rolls forward. The status's `rollback` keeps the next init from publishing the
 * rolled-back dataset again (src/orchestration/decision.ts).
 */
import { EscoInitError } from '../errors.ts';
import type { GenerationStore } from '../generations/generation-store.ts';
import { completeGenerations, rollbackTarget } from '../generations/policy.ts';
import type { Lease, Lock, Observation, Owner } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import type { DatasetStatus, GenerationRecord, RunRecord, StatusStore } from '../status/status-store.ts';
import { event, newRun, recordRunEnd, stateOf } from './run-record.ts';

export interface RollbackDeps {
  datasetKey: string;
  toolVersion: string;
  owner: Owner;
  lock: Lock;
  statusStore: StatusStore;
  generations: GenerationStore;
  log: Logger;
  /** `--to`: this generation instead of the newest complete one before the published. */
  to?: number;
}

export interface RollbackOutcome {
  runId: string;
  epoch: number;
  /** The generation published before (null when the status named none). */
  from: GenerationRecord | null;
  to: GenerationRecord;
  /** True when this run only finished an earlier rollback whose alias switch was interrupted. */
  finished: boolean;
}

/** Lock → try → finally unlock, like init's holder; a live holder is refused, not waited for. */
export async function rollback(d: RollbackDeps): Promise<RollbackOutcome> {
  const acquired = await d.lock.tryAcquire();
  if (!acquired.lease) throw leaseHeld(acquired.observation);
  const lease = acquired.lease;
  lease.startHeartbeat();
  let released = 'failed';
  let run: RunRecord | null = null;
  try {
    const status = await d.statusStore.readStatus(d.datasetKey);
    const { from, to, finished } = await chooseRollback(d, status);
    run = newRun({ ...d, force: false, fingerprint: to.fingerprint, schemaVersion: to.schemaVersion });
    run.epochs.push(lease.epoch);
    run.decision = finished
      ? `rollback: finishing the switch to generation ${to.id}`
      : `rollback: generation ${from?.id ?? 'none'} → ${to.id}`;
    await lease.guard();
    await d.statusStore.writeRun(run);
    await publishAgain(d, lease, run, status, from, to, finished);
    released = 'rolled_back';
    await recordRunEnd(d, run, 'rolled_back', null);
    return { runId: run.runId, epoch: lease.epoch, from, to, finished };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (run) await recordRunEnd(d, run, stateOf(failure), failure);
    throw failure;
  } finally {
    await lease
      .release(released)
      .catch((error: unknown) =>
        d.log.error(
          { err: error, epoch: lease.epoch },
          'could not release the lease: the next start waits for the TTL',
        ),
      );
  }
}

/**
 * The target: `--to`, or the policy's (newest complete generation before the published one). A
 * rollback whose alias switch was interrupted is finished first: running rollback again must not
 * flip the direction.
 */
async function chooseRollback(
  d: RollbackDeps,
  status: DatasetStatus | null,
): Promise<{ from: GenerationRecord | null; to: GenerationRecord; finished: boolean }> {
  const existing = await d.generations.list();
  const published = status?.generation ?? null;
  const current = status?.generations.find((g) => g.id === published) ?? null;
  const aliases = await d.generations.published();
  const interrupted =
    status?.rollback?.runId === status?.runId &&
    current !== null &&
    existing.includes(current.id) &&
    !(aliases.state === 'generation' && aliases.generation === published);
  if (status && current && interrupted && d.to === undefined) {
    const from = status.generations.find((g) => g.id === status.rollback?.from) ?? null;
    return { from, to: current, finished: true };
  }
  if (d.to !== undefined) return { from: current, to: explicitTarget(status, existing, d.to), finished: false };
  const target = rollbackTarget(status, existing);
  if ('none' in target) throw new EscoInitError('NO_ROLLBACK_TARGET', `nothing to roll back to: ${target.none}.`);
  return { from: current, to: target.generation, finished: false };
}

function explicitTarget(status: DatasetStatus | null, existing: readonly number[], to: number): GenerationRecord {
  const complete = status ? completeGenerations(status) : [];
  const record = complete.find((g) => g.id === to && existing.includes(g.id));
  const available = complete.filter((g) => g.id !== status?.generation && existing.includes(g.id)).map((g) => g.id);
  const choices = available.length > 0 ? `complete generations kept: ${available.join(', ')}` : 'none is kept';
  if (!record)
    throw new EscoInitError(
      'NO_ROLLBACK_TARGET',
      `generation ${to} is not a complete generation in Weaviate (${choices}).`,
    );
  if (to === status?.generation)
    throw new EscoInitError('NO_ROLLBACK_TARGET', `generation ${to} is already published (${choices}).`);
  return record;
}

/** Exactly the holder's publish order: status record, then the aliases; each write fenced. */
async function publishAgain(
  d: RollbackDeps,
  lease: Lease,
  run: RunRecord,
  status: DatasetStatus | null,
  from: GenerationRecord | null,
  to: GenerationRecord,
  finished: boolean,
): Promise<void> {
  if (!status) throw new EscoInitError('INTERNAL', 'rollback: the status record vanished');
  if (!finished) {
    const now = new Date().toISOString();
    const next: DatasetStatus = {
      ...status,
      state: 'completed',
      fingerprint: to.fingerprint,
      schemaVersion: to.schemaVersion,
      toolVersion: d.toolVersion,
      counts: to.counts,
      runId: run.runId,
      epoch: lease.epoch,
      updatedAt: now,
      completedAt: now,
      error: null,
      generation: to.id,
      rollback: from
        ? { from: from.id, fingerprint: from.fingerprint, schemaVersion: from.schemaVersion, runId: run.runId, at: now }
        : null,
    };
    await lease.guard();
    await d.statusStore.writeStatus(next);
    event(run, `status record names generation ${to.id}`);
  }
  await lease.guard();
  await d.generations.publish(to.id);
  event(run, `published generation ${to.id}`);
  d.log.info({ from: from?.id ?? null, to: to.id }, `published generation ${to.id}`);
}

function leaseHeld(o: Observation): EscoInitError {
  const h = o.heartbeat;
  const who = h ? `run ${h.runId} on ${h.host} (pid ${h.pid})` : 'a process that has not beaten yet';
  const p = h?.progress;
  const progress = p ? `, at ${p.pass} ${p.collection} ${p.done}/${p.total}` : '';
  return new EscoInitError(
    'LOCK_HELD',
    `${who} holds epoch ${o.epoch} of the ingestion lease${progress}; nothing was changed. Run rollback once it has finished (\`esco-init status\` shows its progress); if that process is dead, \`esco-init unlock --if-stale\` frees the lease.`,
    {
      details: { epoch: o.epoch, holder: h ? { runId: h.runId, host: h.host, pid: h.pid } : null, progress: p ?? null },
    },
  );
}
