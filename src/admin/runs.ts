/**
 * Runs started over the operator API, one at a time: the duplicate guard, the run record that
 * exists before the caller hears "accepted", and the bookkeeping when the run ends. The run itself
 * is an ordinary `init` (the same orchestrator and lease as the CLI and the init container), so a
 * run of another process is seen through the lease, and exactly-once holds across replicas of the
 * service too: two services that both accept a run get one ingestion, and the other run waits.
 */

import { errorInfo } from '../errors.ts';
import type { Heartbeat, Progress } from '../lease/lease-store.ts';
import type { Observation } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import { newRun, stateOf } from '../orchestration/run-record.ts';
import type { RunRecord, StatusStore, Trigger } from '../status/status-store.ts';
import type { UpstreamCheck } from './upstream.ts';

export interface RunRequest {
  force: boolean;
  /** The API key's name. */
  by: string;
  idempotencyKey: string | null;
}

/** The run that makes a new one a duplicate: ours (queued or running here) or the lease holder. */
export interface ActiveRun {
  runId: string;
  source: 'this service' | 'lease holder';
  host: string;
  pid: number;
  epoch: number | null;
  /** How long this service has seen the holder's heartbeat unchanged. */
  silentSeconds: number | null;
  progress: Progress | null;
}

export type Submission =
  | { kind: 'accepted'; runId: string; replayed: boolean }
  | { kind: 'conflict'; active: ActiveRun }
  | { kind: 'key_reused'; runId: string }
  | { kind: 'unavailable'; reason: string };

/** Starts an `init` run with this run id; settles when the run has ended (rejects with its error). */
export type RunLauncher = (run: { runId: string; force: boolean; trigger: Trigger }) => Promise<unknown>;

export interface AdminRunsDeps {
  datasetKey: string;
  toolVersion: string;
  host: string;
  pid: number;
  statusStore: StatusStore;
  lock: { observe(): Promise<Observation> };
  upstream: UpstreamCheck;
  /** Makes the run records writable (creates the Metadata collection on a fresh Weaviate). */
  prepare(): Promise<void>;
  launch: RunLauncher;
  newRunId(): string;
  onEnded?: (run: RunRecord) => void;
  log: Logger;
}

interface Ours {
  runId: string;
  /** Settles when the run has ended and its record is final. */
  done: Promise<void>;
}

/** Idempotency keys remembered in this process (the run records remember them across processes). */
const REMEMBERED_KEYS = 1000;
/** Recent run records searched for an Idempotency-Key another replica accepted. */
const KEY_LOOKBACK = 50;

export class AdminRuns {
  readonly #d: AdminRunsDeps;
  #ours: Ours | null = null;
  /** Keys of runs accepted here; `confirmed` once the run's record is written. */
  readonly #keys = new Map<string, { runId: string; force: boolean; confirmed: boolean }>();

  constructor(deps: AdminRunsDeps) {
    this.#d = deps;
  }

  /** The run this service is running (queued or started), if any. */
  get current(): string | null {
    return this.#ours?.runId ?? null;
  }

  /**
   * Accepts a run, or says why not. The checks that decide a duplicate happen before the first
   * await, so two requests at once get one acceptance and one conflict.
   */
  async submit(request: RunRequest): Promise<Submission> {
    const known = request.idempotencyKey === null ? undefined : this.#keys.get(request.idempotencyKey);
    if (known?.confirmed) return replay(known, request.force);
    if (this.#ours) return { kind: 'conflict', active: this.#ourActive(this.#ours) };
    const runId = this.#d.newRunId();
    const reservation: Ours = { runId, done: Promise.resolve() };
    this.#ours = reservation;
    this.#remember(request, runId);
    const trigger: Trigger = { by: request.by, idempotencyKey: request.idempotencyKey, at: new Date().toISOString() };
    try {
      const refusal = await this.#refusal(request);
      if (refusal) {
        this.#release(request);
        return refusal;
      }
      await this.#d.statusStore.writeRun(this.#queuedRecord(runId, request.force, trigger));
      this.#confirm(request);
    } catch (error) {
      this.#release(request);
      return {
        kind: 'unavailable',
        reason: `cannot read or write the run records in Weaviate: ${(error as Error).message}`,
      };
    }
    reservation.done = this.#run(runId, request.force, trigger);
    return { kind: 'accepted', runId, replayed: false };
  }

  /** Waits for the current run to end (the service stops after its run has recorded how it ended). */
  async drain(): Promise<void> {
    await this.#ours?.done;
  }

  /** Another replica's acceptance of this key, Weaviate or the inference service not ready, the lease held. */
  async #refusal(request: RunRequest): Promise<Submission | null> {
    const notReady = await this.#d.upstream();
    if (notReady) return { kind: 'unavailable', reason: notReady };
    await this.#d.prepare();
    if (request.idempotencyKey !== null) {
      const runs = await this.#d.statusStore.listRuns(this.#d.datasetKey, KEY_LOOKBACK);
      const earlier = runs.find((r) => r.trigger?.idempotencyKey === request.idempotencyKey);
      if (earlier) return replay({ runId: earlier.runId, force: earlier.force }, request.force);
    }
    const observation = await this.#d.lock.observe();
    const holder = holderOf(observation);
    return holder ? { kind: 'conflict', active: holder } : null;
  }

  async #run(runId: string, force: boolean, trigger: Trigger): Promise<void> {
    let failure: Error | null = null;
    try {
      await this.#d.launch({ runId, force, trigger });
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    try {
      const record = await this.#finalRecord(runId, failure);
      if (record) this.#d.onEnded?.(record);
    } catch (error) {
      // The record cannot say how the run ended: the log must, with the run's own failure.
      const run = failure ? errorInfo(failure) : null;
      this.#d.log.error({ err: error, runId, run }, 'could not read or complete the run record of an admin run');
    } finally {
      this.#ours = null;
    }
  }

  /**
   * The run writes its own record from the moment it decides; a run that failed before (Weaviate
   * gone, the data unreadable) would stay `queued`: record its failure here.
   */
  async #finalRecord(runId: string, failure: Error | null): Promise<RunRecord | null> {
    const record = await this.#d.statusStore.readRun(runId);
    if (record?.state !== 'queued') return record;
    const error = failure ?? new Error('the run ended without recording a state');
    const ended: RunRecord = {
      ...record,
      state: stateOf(error),
      endedAt: new Date().toISOString(),
      ms: Date.now() - Date.parse(record.startedAt),
      error: errorInfo(error),
    };
    await this.#d.statusStore.writeRun(ended);
    return ended;
  }

  #queuedRecord(runId: string, force: boolean, trigger: Trigger): RunRecord {
    const { datasetKey, toolVersion, host, pid } = this.#d;
    const owner = { runId, host, pid };
    const run = newRun({ owner, datasetKey, toolVersion, force, fingerprint: null, schemaVersion: null, trigger });
    return { ...run, state: 'queued' };
  }

  #ourActive(ours: Ours): ActiveRun {
    const { host, pid } = this.#d;
    return { runId: ours.runId, source: 'this service', host, pid, epoch: null, silentSeconds: null, progress: null };
  }

  #remember(request: RunRequest, runId: string): void {
    if (request.idempotencyKey === null) return;
    this.#keys.set(request.idempotencyKey, { runId, force: request.force, confirmed: false });
    const oldest = this.#keys.keys().next();
    if (this.#keys.size > REMEMBERED_KEYS && !oldest.done) this.#keys.delete(oldest.value);
  }

  #confirm(request: RunRequest): void {
    const entry = request.idempotencyKey === null ? undefined : this.#keys.get(request.idempotencyKey);
    if (entry) entry.confirmed = true;
  }

  #release(request: RunRequest): void {
    this.#ours = null;
    if (request.idempotencyKey !== null) this.#keys.delete(request.idempotencyKey);
  }
}

function replay(known: { runId: string; force: boolean }, force: boolean): Submission {
  return known.force === force
    ? { kind: 'accepted', runId: known.runId, replayed: true }
    : { kind: 'key_reused', runId: known.runId };
}

/** The lease's holder while it beats (or has not been silent for the TTL yet); null when a run may start. */
export function holderOf(o: Observation): ActiveRun | null {
  if (o.condition !== 'live') return null;
  const h: Heartbeat | null = o.heartbeat;
  return {
    runId: h?.runId ?? 'unknown (the lease is being taken)',
    source: 'lease holder',
    host: h?.host ?? 'unknown',
    pid: h?.pid ?? 0,
    epoch: o.epoch,
    silentSeconds: Math.round(o.unchangedMs / 1000),
    progress: h?.progress ?? null,
  };
}
