/**
 * Freeing the ingestion lease (`esco-init unlock`) without deleting anything: the next epoch is
 * created already released, so the current holder (if it is still alive) is fenced out at its
 * next batch and the next `init` takes over at once. With `ifStale`, only a holder whose
 * heartbeat does not move while this process watches it for the TTL.
 */
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import type { LeaseStore } from './lease-store.ts';
import { Lock, lockOptions, type Observation } from './lock.ts';

export interface UnlockOptions {
  leases: LeaseStore;
  lock: Config['lock'];
  ifStale: boolean;
  log: Logger;
  signal: AbortSignal;
  clock?: Clock;
  /** Told what is watched before an `ifStale` watch starts (it lasts a TTL). */
  onWatch?: (message: string) => void;
}

/** nothing: no lease to free; live: `ifStale` saw the holder beat (left alone); unlocked. */
export interface UnlockOutcome {
  result: 'nothing' | 'live' | 'unlocked';
  message: string;
}

export async function unlockLease(options: UnlockOptions): Promise<UnlockOutcome> {
  const clock = options.clock ?? systemClock;
  const owner = { runId: `unlock-${Date.now().toString(36)}`, host: hostname(), pid: process.pid };
  const lockOpts = lockOptions(options.lock, { owner, log: options.log, clock });
  const { ttlMs, heartbeatMs } = lockOpts;
  const lock = new Lock(options.leases, lockOpts);
  let observed = await lock.observe();
  if (observed.condition === 'none') return nothing('the lease was never taken');
  if (observed.condition === 'released') return nothing(`epoch ${observed.epoch} is already released`);
  if (options.ifStale) {
    options.onWatch?.(`watching epoch ${observed.epoch} for ${ttlMs / 1000} s (${holderOf(observed)})…`);
    while (observed.condition === 'live') {
      await clock.sleep(heartbeatMs, options.signal);
      const next = await lock.observe();
      if (next.condition === 'released' || next.condition === 'none')
        return nothing(`epoch ${next.epoch} was released meanwhile`);
      if (next.epoch !== observed.epoch || next.unchangedMs === 0)
        return { result: 'live', message: `the lease is live (${holderOf(next)} is beating): not unlocked` };
      observed = next;
    }
  }
  const broken = await lock.breakLease('unlocked');
  if (!broken) return nothing('the lease was released meanwhile');
  return {
    result: 'unlocked',
    message: `unlocked: epoch ${broken.from} (${holderOf(observed)}) is fenced; epoch ${broken.to} is released, the next init takes over at once`,
  };
}

function nothing(why: string): UnlockOutcome {
  return { result: 'nothing', message: `nothing to unlock: ${why}` };
}

function holderOf(o: Observation): string {
  const h = o.heartbeat;
  return h ? `run ${h.runId} on ${h.host}, pid ${h.pid}` : 'a holder that never beat';
}
