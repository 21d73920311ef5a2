/**
 * The lease lock: at most one writer, however many processes start at once.
 *
 * - Epoch N is owned by whoever created its ticket (atomic in the LeaseStore); the lease belongs
 *   to the highest existing epoch.
 * - The holder beats every `heartbeatMs`: a counter in its epoch's heartbeat record.
 * - Anyone else watches the highest epoch and calls it stale once the counter (or the record's
 *   absence) has not changed for `ttlMs` on ITS OWN monotonic clock: wall clocks of different
 *   hosts are never compared. A stale or released lease is taken over by creating epoch N+1; only
 *   one taker can.
 * - The holder calls `guard()` before every batch and before publishing: it fails with LOCK_LOST
 *   as soon as a higher epoch exists, or when its own last successful beat is so old that a
 *   watcher may already call it stale (a paused process, a blocked event loop, an unreachable
 *   server). A superseded holder stops writing; release() marks the record released so the next
 *   start takes over without waiting for the TTL.
 */

import { type Clock, systemClock } from '../clock.ts';
import { EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Heartbeat, LeaseStore, Progress } from './lease-store.ts';

export interface Owner {
  runId: string;
  host: string;
  pid: number;
}

export interface LockOptions {
  ttlMs: number;
  heartbeatMs: number;
  owner: Owner;
  log: Logger;
  clock?: Clock;
}

/** The `lock` settings (src/config/settings.ts) a Lock is made from. */
export interface LockSettings {
  ttlSeconds: number;
  heartbeatSeconds: number;
}

/** A Lock's options from the `lock` settings (validated in config.ts), for every Lock the commands make. */
export function lockOptions(settings: LockSettings, who: Pick<LockOptions, 'owner' | 'log' | 'clock'>): LockOptions {
  return { ttlMs: settings.ttlSeconds * 1000, heartbeatMs: settings.heartbeatSeconds * 1000, ...who };
}

export interface Observation {
  /** The highest epoch, 0 when no ticket exists. */
  epoch: number;
  heartbeat: Heartbeat | null;
  /** How long this process has seen the same epoch, counter and state (its own clock). */
  unchangedMs: number;
  /** none: never locked; released; stale: silent for the TTL; live: being held. */
  condition: 'none' | 'released' | 'stale' | 'live';
}

export type AcquireResult = { lease: Lease; previous: Observation } | { lease: null; observation: Observation };

interface Watch {
  epoch: number;
  counter: number | null;
  state: string | null;
  since: number;
}

export class Lock {
  readonly #store: LeaseStore;
  readonly #options: Required<LockOptions>;
  #watch: Watch | null = null;

  constructor(store: LeaseStore, options: LockOptions) {
    if (!(options.heartbeatMs > 0 && options.heartbeatMs * 2 <= options.ttlMs)) {
      throw new EscoInitError(
        'CONFIG_INVALID',
        `lock.heartbeatSeconds (${options.heartbeatMs / 1000}) must be at most half of lock.ttlSeconds (${options.ttlMs / 1000}): a holder beats several times per TTL`,
      );
    }
    this.#store = store;
    this.#options = { clock: systemClock, ...options };
  }

  get ttlMs(): number {
    return this.#options.ttlMs;
  }

  /** Reads the highest epoch and updates this process's staleness watch; never writes. */
  async observe(): Promise<Observation> {
    const epoch = Math.max(0, ...(await this.#store.listTickets()));
    const heartbeat = epoch > 0 ? await this.#store.readHeartbeat(epoch) : null;
    const unchangedMs = this.#track(epoch, heartbeat);
    let condition: Observation['condition'] = 'live';
    if (epoch === 0) condition = 'none';
    else if (heartbeat?.state === 'released') condition = 'released';
    else if (unchangedMs >= this.#options.ttlMs) condition = 'stale';
    return { epoch, heartbeat, unchangedMs, condition };
  }

  #track(epoch: number, heartbeat: Heartbeat | null): number {
    const now = this.#options.clock.now();
    const counter = heartbeat?.counter ?? null;
    const state = heartbeat?.state ?? null;
    const w = this.#watch;
    if (!w || w.epoch !== epoch || w.counter !== counter || w.state !== state) {
      this.#watch = { epoch, counter, state, since: now };
      return 0;
    }
    return now - w.since;
  }

  /**
   * One attempt: takes the lease when nobody holds it, it was released, or it is stale; else
   * reports who holds it. Losing a creation race to another process is not an error.
   */
  async tryAcquire(): Promise<AcquireResult> {
    let observation = await this.observe();
    for (let round = 0; round < 3 && observation.condition !== 'live'; round++) {
      const epoch = observation.epoch + 1;
      if (await this.#store.createTicket(epoch)) {
        const lease = new Lease(this.#store, epoch, this.#options);
        if (await lease.begin()) {
          await this.#cleanup(epoch);
          return { lease, previous: observation };
        }
      }
      observation = await this.observe();
    }
    return { lease: null, observation };
  }

  /**
   * Fences out the current holder and frees the lease at once (`unlock`): creates the next epoch
   * already released. Returns the epochs, or null when there was nothing to unlock.
   */
  async breakLease(reason: string): Promise<{ from: number; to: number } | null> {
    for (let round = 0; round < 3; round++) {
      const { epoch, condition } = await this.observe();
      if (condition === 'none' || condition === 'released') return null;
      if (await this.#store.createTicket(epoch + 1)) {
        const lease = new Lease(this.#store, epoch + 1, this.#options);
        await lease.begin();
        await lease.release(reason);
        await this.#cleanup(epoch + 1);
        return { from: epoch, to: epoch + 1 };
      }
    }
    throw new EscoInitError('INTERNAL', 'the lease kept changing hands while unlocking; run unlock again');
  }

  /** Removes tickets and heartbeats of older epochs. Housekeeping: a failure only delays it. */
  async #cleanup(current: number): Promise<void> {
    try {
      const old = (await this.#store.listTickets()).filter((e) => e < current);
      for (const epoch of old) {
        await this.#store.deleteHeartbeat(epoch);
        await this.#store.deleteTicket(epoch);
      }
      if (old.length > 0) this.#options.log.debug({ epochs: old }, 'removed old lease tickets');
    } catch (error) {
      this.#options.log.warn({ err: error }, 'could not remove old lease tickets; the next holder retries');
    }
  }
}

export class Lease {
  readonly epoch: number;
  readonly #store: LeaseStore;
  readonly #options: Required<LockOptions>;
  readonly #acquiredAt = new Date().toISOString();
  #counter = 0;
  #lastBeat = Number.NEGATIVE_INFINITY;
  #lost: string | null = null;
  #progress: Progress | null = null;
  #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(store: LeaseStore, epoch: number, options: Required<LockOptions>) {
    this.#store = store;
    this.epoch = epoch;
    this.#options = options;
  }

  get lost(): string | null {
    return this.#lost;
  }

  set progress(progress: Progress) {
    this.#progress = progress;
  }

  /** First beat, then confirms no higher epoch exists (a taker may have stalled before creating). */
  async begin(): Promise<boolean> {
    this.#lastBeat = this.#options.clock.now();
    await this.beat();
    try {
      await this.guard();
      return true;
    } catch (error) {
      if (error instanceof EscoInitError && error.code === 'LOCK_LOST') return false;
      throw error;
    }
  }

  /**
   * Writes one heartbeat: counter + 1 and the current progress. After a gap so long that a watcher
   * may have called the lease stale (the process was paused), it writes nothing and gives up the
   * lease instead: the next guard() fails and the caller starts over.
   */
  async beat(): Promise<void> {
    const { clock, ttlMs, heartbeatMs } = this.#options;
    const started = clock.now();
    if (started - this.#lastBeat >= ttlMs - heartbeatMs) {
      this.#lose(`no heartbeat could be written for ${Math.round(started - this.#lastBeat)} ms (TTL ${ttlMs} ms)`);
      return;
    }
    this.#counter += 1;
    await this.#store.writeHeartbeat(this.#record('held', null));
    this.#lastBeat = started;
  }

  /** Beats every heartbeatMs until release(). A failed beat is retried; guard() notices if too many fail. */
  startHeartbeat(): void {
    if (this.#loop) return;
    const { clock, heartbeatMs, log } = this.#options;
    const signal = this.#stop.signal;
    this.#loop = (async () => {
      while (!signal.aborted) {
        await clock.sleep(heartbeatMs, signal).catch(() => {});
        if (signal.aborted || this.#lost) return;
        await this.#checkedBeat().catch((error: unknown) =>
          log.warn({ err: error, epoch: this.epoch }, 'heartbeat failed; retrying at the next interval'),
        );
      }
    })();
  }

  /** A beat that first looks for a higher epoch: a superseded holder learns it between batches too. */
  async #checkedBeat(): Promise<void> {
    const newer = (await this.#store.listTickets()).filter((e) => e > this.epoch);
    if (newer.length > 0) this.#lose(`epoch ${Math.max(...newer)} was created by another process`);
    else await this.beat();
  }

  /**
   * Throws LOCK_LOST unless this process still owns the lease. Cheap: one list of tickets. The
   * silence check comes after that request, so a pause during it is caught too.
   */
  async guard(): Promise<void> {
    if (this.#lost) throw this.#lostError();
    const newer = (await this.#store.listTickets()).filter((e) => e > this.epoch);
    const { clock, ttlMs, heartbeatMs } = this.#options;
    const silentMs = clock.now() - this.#lastBeat;
    if (newer.length > 0) {
      this.#lose(`epoch ${Math.max(...newer)} was created by another process`);
    } else if (silentMs >= ttlMs - heartbeatMs) {
      this.#lose(
        `its last heartbeat was written ${Math.round(silentMs)} ms ago (TTL ${ttlMs} ms): another process may already call it stale`,
      );
    }
    if (this.#lost) throw this.#lostError();
    this.#options.log.trace({ epoch: this.epoch }, 'lease confirmed');
  }

  #lose(reason: string): void {
    this.#lost = reason;
    this.#stop.abort();
    this.#options.log.warn({ epoch: this.epoch, reason }, 'lease lost: this process stops writing');
  }

  #lostError(): EscoInitError {
    return new EscoInitError(
      'LOCK_LOST',
      `lost the ingestion lease (epoch ${this.epoch}): ${this.#lost}. This process stopped writing; the current holder carries on.`,
      { details: { epoch: this.epoch } },
    );
  }

  /**
   * Stops beating and marks the epoch released so a waiter can take over now. Harmless even after
   * a loss: watchers only look at the highest epoch. Skipped when a higher epoch exists, whose
   * holder may already have removed this epoch's records.
   */
  async release(reason: string): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (this.#lost && (await this.#store.listTickets()).some((e) => e > this.epoch)) return;
    await this.#store.writeHeartbeat(this.#record('released', reason));
  }

  #record(state: Heartbeat['state'], releasedReason: string | null): Heartbeat {
    const { runId, host, pid } = this.#options.owner;
    return {
      epoch: this.epoch,
      runId,
      host,
      pid,
      counter: this.#counter,
      state,
      releasedReason,
      progress: this.#progress,
      acquiredAt: this.#acquiredAt,
      beatAt: new Date().toISOString(),
    };
  }
}
