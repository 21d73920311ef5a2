/**
 * One holding of the lease: the in_progress → completed/failed status record it maintains (every
 * write fenced by the lease) and the pipeline of passes it runs.
 */
import { EscoInitError, isEscoInitError } from '../errors.ts';
import { errorInfo, newManifest, runPipeline, skipRemaining } from '../ingest/pipeline.ts';
import type { Lease } from '../state/lock.ts';
import { type DatasetStatus, pruneRuns, type RunRecord } from '../state/status-store.ts';
import { event, recordRunEnd, stateOf } from './run-record.ts';
import type { HolderSession, OrchestratorDeps } from './session.ts';

/** One holding of the lease: the status record it maintains and the pipeline it runs. */
export class Holder {
  readonly #d: OrchestratorDeps;
  readonly #run: RunRecord;
  readonly #lease: Lease;
  #status: DatasetStatus | null = null;
  #manifest = newManifest([]);

  constructor(d: OrchestratorDeps, run: RunRecord, lease: Lease) {
    this.#d = d;
    this.#run = run;
    this.#lease = lease;
  }

  async ingest(previous: DatasetStatus | null, resume: string[]): Promise<void> {
    const d = this.#d;
    await pruneRuns(d.statusStore, d.datasetKey, d.keepRuns ?? 50).catch((error: unknown) =>
      d.log.warn({ err: error }, 'could not delete old run records; the next holder retries'),
    );
    const base = { fingerprint: d.fingerprint, schemaVersion: d.schemaVersion };
    await this.#writeStatus({
      key: d.datasetKey,
      state: 'in_progress',
      ...base,
      toolVersion: d.toolVersion,
      counts: null,
      runId: this.#run.runId,
      epoch: this.#lease.epoch,
      completedAt: previous?.completedAt ?? null,
      error: null,
      resume: { ...base, passes: resume },
    });
    const passes = d.passes(this.#session());
    this.#manifest = newManifest(passes);
    this.#run.passes = this.#manifest.passes;
    this.#run.resumed = this.#manifest.resumed;
    await runPipeline(passes, this.#manifest, {
      completed: resume,
      hooks: {
        onManifest: () => d.statusStore.writeRun(this.#run),
        onResumePoint: (passes) => this.#writeStatus({ resume: { ...base, passes } }),
      },
    });
    if (this.#status?.state !== 'completed') {
      throw new EscoInitError('INTERNAL', 'the pipeline ended without publishing the completed state');
    }
  }

  #session(): HolderSession {
    const d = this.#d;
    return {
      epoch: this.#lease.epoch,
      guard: () => this.#lease.guard(),
      progress: (p) => {
        this.#lease.progress = { ...p };
        d.onProgress?.(p);
      },
      publish: async (counts) => {
        const completedAt = new Date().toISOString();
        await this.#writeStatus({ state: 'completed', counts, completedAt, resume: null });
        this.#run.counts = counts;
      },
    };
  }

  /** Every status write is fenced: a superseded holder never touches the status record. */
  async #writeStatus(change: Partial<DatasetStatus>): Promise<void> {
    await this.#lease.guard();
    const next = { ...this.#status, ...change, updatedAt: new Date().toISOString() } as DatasetStatus;
    await this.#d.statusStore.writeStatus(next);
    this.#status = next;
  }

  /** Superseded: leave everything to the new holder; the run goes on as a follower. */
  async lost(surfaced: Error): Promise<void> {
    skipRemaining(this.#manifest, 'not run here: the lease was lost');
    const how = isEscoInitError(surfaced, 'LOCK_LOST') ? '' : ` (noticed through: ${surfaced.message})`;
    event(
      this.#run,
      `lost the lease (epoch ${this.#lease.epoch}): ${this.#lease.lost}${how}; following the new holder`,
    );
    await this.#d.statusStore.writeRun(this.#run);
    await releaseLease(this.#d, this.#lease, 'lost');
  }

  /**
   * Whether the lease is gone, whatever error surfaced: after a pause the first thing to fail may
   * be a dead connection rather than the fencing check, and a superseded holder's failure is moot.
   */
  async superseded(surfaced: Error): Promise<boolean> {
    if (isEscoInitError(surfaced, 'LOCK_LOST') || this.#lease.lost) return true;
    try {
      await this.#lease.guard();
      return false;
    } catch (error) {
      return isEscoInitError(error, 'LOCK_LOST');
    }
  }

  async fail(error: EscoInitError | Error): Promise<void> {
    const d = this.#d;
    skipRemaining(this.#manifest, 'not started: an earlier pass failed');
    // Data that failed verification was written wrong: the next run must redo the writing passes.
    const resume =
      isEscoInitError(error, 'VERIFY_FAILED') && this.#status?.resume
        ? { ...this.#status.resume, passes: [] }
        : this.#status?.resume;
    try {
      if (this.#status) await this.#writeStatus({ state: 'failed', error: errorInfo(error), resume: resume ?? null });
    } catch (statusError) {
      d.log.error({ err: statusError }, 'could not record the failure in the status record');
    }
    await releaseLease(d, this.#lease, stateOf(error) === 'interrupted' ? 'interrupted' : 'failed');
    await recordRunEnd(d, this.#run, stateOf(error), error);
  }
}

/** Releasing is what lets the next start go on without waiting for the TTL; a failure is loud. */
export async function releaseLease(d: OrchestratorDeps, lease: Lease, reason: string): Promise<void> {
  try {
    await lease.release(reason);
    d.log.info({ epoch: lease.epoch, reason }, 'released the ingestion lease');
  } catch (error) {
    d.log.error({ err: error, epoch: lease.epoch }, 'could not release the lease: the next start waits for the TTL');
  }
}
