import { describe, expect, it } from 'vitest';
import { EscoInitError, isEscoInitError } from '../../src/errors.ts';
import { Lease, type Lock, lockOptions } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock, settle } from '../support/fake-clock.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { BEAT, lockFor, TTL } from '../support/test-lock.ts';

async function acquire(lock: Lock): Promise<Lease> {
  const result = await lock.tryAcquire();
  if (!result.lease) throw new Error(`expected to acquire, found ${result.observation.condition}`);
  return result.lease;
}

async function lostCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isEscoInitError(error) ? error.code : String(error);
  }
}

describe('Lock', () => {
  it('gives the lease to exactly one of many simultaneous starts', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const locks = Array.from({ length: 8 }, (_, i) => lockFor(store, clock, `p${i}`));
    const results = await Promise.all(locks.map((l) => l.tryAcquire()));
    const winners = results.filter((r) => r.lease);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.lease?.epoch).toBe(1);
    for (const r of results.filter((r) => !r.lease)) {
      expect(r.lease === null && r.observation.condition).toBe('live');
    }
    expect([...store.tickets]).toEqual([1]);
  });

  it('never calls a beating holder stale, however long a follower watches', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const lease = await acquire(lockFor(store, clock, 'holder'));
    lease.startHeartbeat();
    const follower = lockFor(store, clock, 'follower');
    for (let i = 0; i < 20; i++) {
      const result = await follower.tryAcquire();
      expect(result.lease).toBeNull();
      await clock.advance(BEAT);
    }
    expect(store.heartbeats.get(1)?.counter).toBeGreaterThanOrEqual(20);
    await lease.release('completed');
  });

  it('takes over a silent holder only after the TTL on the follower own clock', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    // The holder wrote its beat long ago by wall clock: that must not count, only watching does.
    const follower = lockFor(store, clock, 'follower');
    expect((await follower.tryAcquire()).lease).toBeNull();
    await clock.advance(TTL - 1);
    const early = await follower.tryAcquire();
    expect(early.lease).toBeNull();
    await clock.advance(1);
    const taken = await follower.tryAcquire();
    expect(taken.lease?.epoch).toBe(2);
    expect(taken.lease && taken.previous.condition).toBe('stale');
    // Old tickets and heartbeats are cleaned up; the new epoch stays.
    expect([...store.tickets]).toEqual([2]);
    expect(store.heartbeats.has(1)).toBe(false);
    // The old holder is fenced: its next guard fails and it writes no release over the new epoch.
    expect(await lostCode(holder.guard())).toBe('LOCK_LOST');
    const writes = store.writes.length;
    await holder.release('failed');
    expect(store.writes.length).toBe(writes);
  });

  it('treats a ticket without a heartbeat (holder died right after creating it) as stale after the TTL', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    store.tickets.add(5);
    const follower = lockFor(store, clock, 'follower');
    expect((await follower.tryAcquire()).lease).toBeNull();
    await clock.advance(TTL);
    expect((await follower.tryAcquire()).lease?.epoch).toBe(6);
  });

  it('restarts the TTL whenever the counter moves', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    const follower = lockFor(store, clock, 'follower');
    await follower.tryAcquire();
    await clock.advance(TTL - 2 * BEAT);
    await holder.beat();
    await follower.tryAcquire(); // sees the move
    await clock.advance(TTL - 1);
    expect((await follower.tryAcquire()).lease).toBeNull();
    await clock.advance(1);
    expect((await follower.tryAcquire()).lease?.epoch).toBe(2);
  });

  it('lets a waiter take a released lease at once', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    const follower = lockFor(store, clock, 'follower');
    expect((await follower.tryAcquire()).lease).toBeNull();
    await holder.release('interrupted');
    expect(store.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'interrupted' });
    const taken = await follower.tryAcquire();
    expect(taken.lease?.epoch).toBe(2);
    expect(taken.lease && taken.previous.condition).toBe('released');
  });

  it('lets exactly one of several waiters take over a stale lease', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    await acquire(lockFor(store, clock, 'holder'));
    const followers = Array.from({ length: 5 }, (_, i) => lockFor(store, clock, `f${i}`));
    await Promise.all(followers.map((f) => f.tryAcquire()));
    await clock.advance(TTL);
    const results = await Promise.all(followers.map((f) => f.tryAcquire()));
    const winners = results.filter((r) => r.lease);
    expect(winners.map((w) => w.lease?.epoch)).toEqual([2]);
    for (const r of results.filter((r) => !r.lease)) expect(r.lease === null && r.observation.epoch).toBe(2);
  });

  it('fences a holder that was paused past its lease, even before anyone took over', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    await holder.guard();
    await clock.advance(TTL - BEAT + 1); // SIGSTOP: no beats, time passes
    const error = await holder.guard().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EscoInitError);
    expect((error as EscoInitError).code).toBe('LOCK_LOST');
    expect(holder.lost).toMatch(/last heartbeat/);
    // Nobody holds a higher epoch: releasing is safe and frees the lease for the next start.
    await holder.release('lost');
    expect(store.heartbeats.get(1)?.state).toBe('released');
  });

  it('beats on its own every heartbeat interval until released', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    holder.progress = { pass: 'objects', collection: 'Skill', done: 10, total: 100 };
    holder.startHeartbeat();
    await clock.advance(3 * BEAT, BEAT);
    const beat = store.heartbeats.get(1);
    expect(beat?.counter).toBe(4); // the first beat on acquire, then three
    expect(beat?.progress).toEqual({ pass: 'objects', collection: 'Skill', done: 10, total: 100 });
    await holder.release('completed');
    const after = store.writes.length;
    await clock.advance(3 * BEAT, BEAT);
    expect(store.writes.length).toBe(after);
  });

  it('keeps beating after a failed write and fences itself only when beats fail for too long', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    holder.startHeartbeat();
    store.failNext(new Error('Weaviate hiccup'));
    await clock.advance(BEAT);
    await holder.guard(); // one missed beat is within the margin
    await clock.advance(BEAT);
    expect(store.heartbeats.get(1)?.counter).toBe(2);
    await holder.guard();
    for (let i = 0; i < 3; i++) store.failNext(new Error('Weaviate down'));
    await clock.advance(3 * BEAT, BEAT);
    expect(await lostCode(holder.guard())).toBe('LOCK_LOST');
    expect(holder.lost).toMatch(/3000 ms ago/);
  });

  it('does not hand out an epoch below an existing one (a taker that stalled before creating)', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    store.tickets.add(7);
    const options = {
      ttlMs: TTL,
      heartbeatMs: BEAT,
      owner: { runId: 'late', host: 'h', pid: 1 },
      log: silentLogger(),
      clock,
    };
    const stale = new Lease(store, 6, options);
    expect(await stale.begin()).toBe(false);
    expect(stale.lost).toMatch(/epoch 7/);
  });

  it('breaks a live lease for unlock: fences the holder and frees the lease at once', async () => {
    const store = new MemoryLeaseStore();
    const clock = new FakeClock();
    const holder = await acquire(lockFor(store, clock, 'holder'));
    const admin = lockFor(store, clock, 'admin');
    expect(await admin.breakLease('unlocked')).toEqual({ from: 1, to: 2 });
    expect(store.heartbeats.get(2)).toMatchObject({ state: 'released', releasedReason: 'unlocked' });
    expect(await lostCode(holder.guard())).toBe('LOCK_LOST');
    const next = await lockFor(store, clock, 'next').tryAcquire();
    expect(next.lease?.epoch).toBe(3);
    await next.lease?.release('completed');
    expect(await admin.breakLease('unlocked')).toBeNull(); // already free: nothing to break
  });

  it('rejects a heartbeat interval that leaves no margin within the TTL', () => {
    const store = new MemoryLeaseStore();
    expect(() => lockFor(store, new FakeClock(), 'x', { ttlMs: 4_000, heartbeatMs: 3_000 })).toThrow(/at most half/);
  });

  it('gets its options from the lock settings, in milliseconds', () => {
    const who = { owner: { runId: 'r', host: 'h', pid: 1 }, log: silentLogger() };
    expect(lockOptions({ ttlSeconds: 30, heartbeatSeconds: 5 }, who)).toEqual({
      ttlMs: 30_000,
      heartbeatMs: 5_000,
      ...who,
    });
  });

  it('propagates store failures while acquiring instead of pretending to hold the lease', async () => {
    const store = new MemoryLeaseStore();
    const lock = lockFor(store, new FakeClock(), 'p');
    store.failNext(new Error('connection refused'));
    await expect(lock.tryAcquire()).rejects.toThrow('connection refused');
    await settle();
    expect(store.tickets.size).toBe(0);
  });
});
