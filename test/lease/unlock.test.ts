/**
 * Freeing the lease (src/lease/unlock.ts) over the in-memory store, time driven by a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { type UnlockOptions, unlockLease } from '../../src/lease/unlock.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { heartbeat } from '../support/store-contract.ts';

const LOCK = { ttlSeconds: 4, heartbeatSeconds: 1, waitTimeoutSeconds: 60 };

function options(leases: MemoryLeaseStore, change: Partial<UnlockOptions> = {}): UnlockOptions {
  return { leases, lock: LOCK, ifStale: false, log: silentLogger(), signal: new AbortController().signal, ...change };
}

async function held(epoch = 1): Promise<MemoryLeaseStore> {
  const leases = new MemoryLeaseStore();
  await leases.createTicket(epoch);
  await leases.writeHeartbeat(heartbeat(epoch, { runId: 'r1', host: 'h1', pid: 9 }));
  return leases;
}

/** Runs `work`, advancing the clock one heartbeat at a time until it settles. */
async function driven<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  work.finally(() => {
    done = true;
  });
  for (let i = 0; i < 50 && !done; i++) await clock.advance(1000);
  return work;
}

describe('unlockLease', () => {
  it('has nothing to do before the lease was ever taken, or once it is released', async () => {
    expect(await unlockLease(options(new MemoryLeaseStore()))).toEqual({
      result: 'nothing',
      message: 'nothing to unlock: the lease was never taken',
    });
    const leases = await held(3);
    await leases.writeHeartbeat(heartbeat(3, { state: 'released', releasedReason: 'completed' }));
    expect((await unlockLease(options(leases))).message).toBe('nothing to unlock: epoch 3 is already released');
  });

  it('fences a holder at once: the next epoch exists, already released', async () => {
    const leases = await held();
    const outcome = await unlockLease(options(leases));
    expect(outcome).toEqual({
      result: 'unlocked',
      message:
        'unlocked: epoch 1 (run r1 on h1, pid 9) is fenced; epoch 2 is released, the next init takes over at once',
    });
    expect(await leases.readHeartbeat(2)).toMatchObject({ state: 'released', releasedReason: 'unlocked' });
  });

  it('with ifStale, unlocks a holder whose heartbeat stays still for the TTL, saying what it watches', async () => {
    const leases = await held();
    const clock = new FakeClock();
    const watched: string[] = [];
    const outcome = await driven(
      clock,
      unlockLease(options(leases, { ifStale: true, clock, onWatch: (m) => watched.push(m) })),
    );
    expect(watched).toEqual(['watching epoch 1 for 4 s (run r1 on h1, pid 9)…']);
    expect(outcome.result).toBe('unlocked');
    expect([...leases.tickets].sort()).toEqual([2]);
  });

  it('with ifStale, leaves a holder that beats alone', async () => {
    const leases = await held();
    const clock = new FakeClock();
    // The holder beats once the watch has begun.
    const beat = () => leases.writeHeartbeat(heartbeat(1, { runId: 'r1', host: 'h1', pid: 9, counter: 1 }));
    const work = unlockLease(options(leases, { ifStale: true, clock, onWatch: () => void beat() }));
    expect(await driven(clock, work)).toEqual({
      result: 'live',
      message: 'the lease is live (run r1 on h1, pid 9 is beating): not unlocked',
    });
    expect(await leases.readHeartbeat(2)).toBeNull();
  });
});
