/** A Lock on an in-memory lease store and a fake clock, with the tests' TTL and heartbeat. */

import { Lock, type LockOptions } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import type { FakeClock } from './fake-clock.ts';
import type { MemoryLeaseStore } from './memory-lease-store.ts';

export const TTL = 4_000;
export const BEAT = 1_000;

/** The lock of process `name` (run `run-<name>` on `host-<name>`). */
export function lockFor(store: MemoryLeaseStore, clock: FakeClock, name: string, overrides: Partial<LockOptions> = {}) {
  return new Lock(store, {
    ttlMs: TTL,
    heartbeatMs: BEAT,
    owner: { runId: `run-${name}`, host: `host-${name}`, pid: 1 },
    log: silentLogger(),
    clock,
    ...overrides,
  });
}
