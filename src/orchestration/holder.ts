/**
 * One holding of the lease: the in_progress → completed/failed status record it maintains (every
 * write fenced by the lease), the generation it builds and the pipeline of passes it runs. The
 * published generation is never written: a failure anywhere leaves it as it was.
 */
import { EscoInitError, errorInfo, isEscoInitError } from '../errors.ts';
import { chooseTarget, generationsToDrop, type Target, withGeneration } from '../generations/policy.ts';
import { newManifest, runPipeline, skipRemaining } from '../ingest/pipeline.ts';
import type { Lease } from '../lease/lock.ts';
import { type DatasetStatus, type GenerationRecord, pruneRuns } from '../status/status-store.ts';
import type { RunJournal } from './run-journal.ts';
import { stateOf } from './run-record.ts';
import type { HolderSession, OrchestratorDeps } from './session.ts';

/** One holding of the lease: the status record it maintains and the pipeline it runs. */
export class Holder {
  readonly #d: OrchestratorDeps;
  readonly #journal: RunJournal;
  readonly #lease: Lease;
  #status: DatasetStatus | null = null;
  #manifest = newManifest([]);

  constructor(d: OrchestratorDeps, journal: RunJournal, lease: Lease) {
    this.#d = d;
    this.#journal = journal;
    this.#lease = lease;
  }

  async ingest(previous: DatasetStatus | null, resume: string[]): Promise<void> {
    const d = this.#d;
    await pruneRuns(d.statusStore, d.datasetKey, d.keepRuns ?? 50).catch((error: unknown) =>
      d.log.warn({ err: error }, 'could not delete old run records; the next holder retries'),
    );
    const base = { fingerprint: d.fingerprint, schemaVersion: d.schemaVersion };
    const { target, remaining } = await this.#prepareTarget(previous);
    const completed = target.resumes ? resume : [];
    const generation = target.generation;
    await this.#writeStatus({
      key: d.datasetKey,
      state: 'in_progress',
      ...base,
      toolVersion: d.toolVersion,
      counts: null,
      runId: this.#journal.runId,
      epoch: this.#lease.epoch,
      completedAt: previous?.completedAt ?? null,
      error: null,
      resume: { ...base, passes: completed, generation },
      generation: previous?.generation ?? null,
      generations: this.#generationsWith(previous, target, remaining),
      rollback: previous?.rollback ?? null,
    });
    const passes = d.passes(this.#session(target));
    this.#manifest = newManifest(passes);
    this.#journal.planned(this.#manifest);
    await runPipeline(passes, this.#manifest, {
      completed,
      hooks: {
        onManifest: () => this.#journal.save(),
        onResumePoint: (passes) => this.#writeStatus({ resume: { ...base, passes, generation } }),
      },
    });
    if (this.#status?.state !== 'completed') {
      throw new EscoInitError('INTERNAL', 'the pipeline ended without publishing the completed state');
    }
  }

  /** Points the aliases at the generation the status record publishes; nothing is built or written. */
  async finishSwitch(generation: number, status: DatasetStatus | null): Promise<void> {
    this.#status = status;
    await this.#lease.guard();
    await this.#d.generations.publish(generation);
    this.#journal.counted(status?.counts ?? null);
    this.#journal.note(`finished the switch to generation ${generation}`);
    this.#d.log.info({ generation }, `finished the switch to generation ${generation}`);
  }

  /**
   * Chooses the generation to build and drops what no one needs before it is built: orphans of
   * crashed runs, unfinished generations of other datasets, and complete ones beyond retention.
   */
  async #prepareTarget(previous: DatasetStatus | null): Promise<{ target: Target; remaining: number[] }> {
    const d = this.#d;
    const existing = await d.generations.list();
    const { fingerprint, schemaVersion, force } = d;
    const target = chooseTarget({
      status: previous,
      existing,
      fingerprint,
      schemaVersion,
      force,
      epoch: this.#lease.epoch,
    });
    this.#journal.note(target.why);
    d.log.info({ generation: target.generation, resumes: target.resumes }, target.why);
    const drop = generationsToDrop({
      status: previous,
      existing,
      keep: d.keepGenerations,
      building: target.generation,
      aliased: await d.generations.published(),
    });
    await this.#drop(drop, 'before building');
    return { target, remaining: existing.filter((g) => !drop.includes(g)) };
  }

  async #drop(generations: readonly number[], when: string): Promise<void> {
    for (const generation of generations) {
      await this.#lease.guard();
      await this.#d.generations.drop(generation);
      this.#journal.note(`dropped generation ${generation} (${when})`);
      this.#d.log.info({ generation }, `dropped generation ${generation} (${when})`);
    }
  }

  /** The status's generation list: those that remain, with the target added (new) or kept (resumed). */
  #generationsWith(previous: DatasetStatus | null, target: Target, remaining: number[]): GenerationRecord[] {
    const known = previous?.generations ?? [];
    const record = known.find((g) => g.id === target.generation) ?? {
      id: target.generation,
      fingerprint: this.#d.fingerprint,
      schemaVersion: this.#d.schemaVersion,
      runId: this.#journal.runId,
      createdAt: new Date().toISOString(),
      completedAt: null,
      counts: null,
    };
    return withGeneration(known, record, [...remaining, record.id]);
  }

  #session({ generation, resumes }: Target): HolderSession {
    const d = this.#d;
    return {
      epoch: this.#lease.epoch,
      generation,
      resumes,
      guard: () => this.#lease.guard(),
      progress: (p) => {
        this.#lease.progress = { ...p };
        d.onProgress?.(p);
      },
      publish: async (counts) => {
        const completedAt = new Date().toISOString();
        const generations = (this.#status?.generations ?? []).map((g) =>
          g.id === generation ? { ...g, completedAt: g.completedAt ?? completedAt, counts } : g,
        );
        // The status record first: the search service pins the generation it names, whole, per
        // request. Then the aliases, one at a time, for readers that use the published names.
        await this.#writeStatus({
          state: 'completed',
          counts,
          completedAt,
          resume: null,
          generation,
          generations,
          rollback: null,
        });
        this.#journal.counted(counts);
        await this.#lease.guard();
        await d.generations.publish(generation);
        this.#journal.note(`published generation ${generation}`);
        const existing = await d.generations.list();
        const drop = generationsToDrop({ status: this.#status, existing, keep: d.keepGenerations });
        await this.#drop(drop, 'retention');
        const kept = withGeneration(
          generations,
          null,
          existing.filter((g) => !drop.includes(g)),
        );
        if (kept.length < generations.length) await this.#writeStatus({ generations: kept });
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
    this.#journal.note(
      `lost the lease (epoch ${this.#lease.epoch}): ${this.#lease.lost}${how}; following the new holder`,
    );
    await this.#journal.save();
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

  /**
   * Bad input (exit 2: a bad row, a file missing) fails the same way on every run of these bytes,
   * so the generation begun for them is dropped now rather than kept to be resumed; after anything
   * else (Weaviate, the inference service, a signal) the next run of the same dataset resumes it.
   */
  async #dropUnresumable(error: Error): Promise<boolean> {
    const generation = this.#status?.resume?.generation ?? null;
    if (!(error instanceof EscoInitError) || error.exitCode !== 2 || generation === null) return false;
    if (generation === this.#status?.generation) return false;
    try {
      await this.#drop([generation], 'its dataset is invalid');
      const generations = (this.#status?.generations ?? []).filter((g) => g.id !== generation);
      await this.#writeStatus({ generations });
      return true;
    } catch (dropError) {
      this.#d.log.error({ err: dropError, generation }, 'could not drop the unfinished generation; the next run does');
      return false;
    }
  }

  async fail(error: EscoInitError | Error): Promise<void> {
    const d = this.#d;
    skipRemaining(this.#manifest, 'not started: an earlier pass failed');
    // Data that failed verification was written wrong: the next run must redo the writing passes.
    let resume =
      isEscoInitError(error, 'VERIFY_FAILED') && this.#status?.resume
        ? { ...this.#status.resume, passes: [] }
        : this.#status?.resume;
    if (await this.#dropUnresumable(error)) resume = null;
    try {
      if (this.#status) await this.#writeStatus({ state: 'failed', error: errorInfo(error), resume: resume ?? null });
    } catch (statusError) {
      d.log.error({ err: statusError }, 'could not record the failure in the status record');
    }
    await releaseLease(d, this.#lease, stateOf(error) === 'interrupted' ? 'interrupted' : 'failed');
    await this.#journal.failed(error);
  }
}

/** Releasing is what lets the next start go on without waiting for the TTL; a failure is loud. */
export async function releaseLease(d: Pick<OrchestratorDeps, 'log'>, lease: Lease, reason: string): Promise<void> {
  try {
    await lease.release(reason);
    d.log.info({ epoch: lease.epoch, reason }, 'released the ingestion lease');
  } catch (error) {
    d.log.error({ err: error, epoch: lease.epoch }, 'could not release the lease: the next start waits for the TTL');
  }
}
