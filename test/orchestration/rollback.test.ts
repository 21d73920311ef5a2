/**
 * The rollback procedure (src/orchestration/rollback.ts) over the in-memory stores: it refuses a live
 * holder and a missing target, publishes in the holder's order (status record, then aliases), rolls
 * forward when run twice, and publishes nothing once its lease is fenced.
 */
import { describe, expect, it } from 'vitest';
import { EscoInitError } from '../../src/errors.ts';
import { Lock } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { type RollbackDeps, rollback } from '../../src/orchestration/rollback.ts';
import { type DatasetStatus, type GenerationRecord, notStarted } from '../../src/status/status-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryGenerationStore } from '../support/memory-generation-store.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat } from '../support/store-contract.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function generation(id: number, fingerprint: string, complete = true): GenerationRecord {
  return {
    id,
    fingerprint,
    schemaVersion: 's1',
    runId: `run-${id}`,
    createdAt: `2026-01-0${id}T00:00:00.000Z`,
    completedAt: complete ? `2026-01-0${id}T00:10:00.000Z` : null,
    counts: complete ? { objects: 100 * id, references: 1000 * id } : null,
  };
}

/** Generation 1 (dataset A) and 2 (dataset B) complete, 2 published: init A then init B. */
function published2(): DatasetStatus {
  return {
    ...notStarted('esco', '0.1.0'),
    state: 'completed',
    fingerprint: B,
    schemaVersion: 's1',
    counts: { objects: 200, references: 2000 },
    runId: 'run-2',
    epoch: 2,
    generation: 2,
    generations: [generation(1, A), generation(2, B)],
  };
}

class World {
  readonly clock = new FakeClock();
  readonly leases = new MemoryLeaseStore();
  readonly statuses = new MemoryStatusStore();
  readonly generations = new MemoryGenerationStore();
  /** Status writes and alias switches, in order. */
  readonly order: string[] = [];

  constructor() {
    const writeStatus = this.statuses.writeStatus.bind(this.statuses);
    this.statuses.writeStatus = async (s) => {
      this.order.push(`status g${s.generation}`);
      await writeStatus(s);
    };
    const publish = this.generations.publish.bind(this.generations);
    this.generations.publish = async (g) => {
      this.order.push(`aliases g${g}`);
      await publish(g);
    };
  }

  async seed(status: DatasetStatus, built: number[]): Promise<void> {
    for (const g of built) this.generations.create(g);
    if (status.generation !== null) await this.generations.publish(status.generation);
    await this.statuses.writeStatus(status);
    this.order.length = 0;
  }

  deps(runId: string, to?: number): RollbackDeps {
    const owner = { runId, host: 'host', pid: 7 };
    const log = silentLogger();
    const lock = new Lock(this.leases, { ttlMs: 4_000, heartbeatMs: 1_000, owner, log, clock: this.clock });
    return {
      datasetKey: 'esco',
      toolVersion: '0.2.0',
      owner,
      lock,
      statusStore: this.statuses,
      generations: this.generations,
      log,
      to,
    };
  }

  async status(): Promise<DatasetStatus | null> {
    return this.statuses.readStatus('esco');
  }
}

async function failure(promise: Promise<unknown>): Promise<EscoInitError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof EscoInitError)) throw new Error(`expected an EscoInitError, got ${String(error)}`);
  return error;
}

describe('rollback', () => {
  it('publishes the previous generation: the status record first, then the aliases; releases the lease', async () => {
    const w = new World();
    await w.seed(published2(), [1, 2]);
    const outcome = await rollback(w.deps('rb-1'));
    expect(outcome).toMatchObject({ runId: 'rb-1', epoch: 1, from: { id: 2 }, to: { id: 1 }, finished: false });
    expect(w.order).toEqual(['status g1', 'aliases g1']);
    expect(await w.generations.published()).toEqual({ state: 'generation', generation: 1 });
    const status = await w.status();
    expect(status).toMatchObject({
      state: 'completed',
      generation: 1,
      fingerprint: A,
      schemaVersion: 's1',
      counts: { objects: 100, references: 1000 },
      runId: 'rb-1',
      epoch: 1,
      error: null,
      rollback: { from: 2, fingerprint: B, schemaVersion: 's1', runId: 'rb-1' },
    });
    expect(status?.generations.map((g) => g.id)).toEqual([1, 2]);
    expect(w.generations.drops).toEqual([]);
    expect(w.leases.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'rolled_back' });
    const run = await w.statuses.readRun('rb-1');
    expect(run).toMatchObject({ state: 'rolled_back', decision: 'rollback: generation 2 → 1', epochs: [1] });
    expect(run?.fingerprint).toBe(A);
    expect(run?.events.map((e) => e.event)).toEqual(['status record names generation 1', 'published generation 1']);
  });

  it('rolls forward when run again: nothing was dropped', async () => {
    const w = new World();
    await w.seed(published2(), [1, 2]);
    await rollback(w.deps('rb-1'));
    const again = await rollback(w.deps('rb-2'));
    expect(again).toMatchObject({ from: { id: 1 }, to: { id: 2 }, epoch: 2 });
    expect(await w.generations.published()).toEqual({ state: 'generation', generation: 2 });
    expect(await w.status()).toMatchObject({ generation: 2, fingerprint: B, rollback: { from: 1, fingerprint: A } });
  });

  it('fails with NO_ROLLBACK_TARGET when no earlier complete generation is kept, and changes nothing', async () => {
    const w = new World();
    const onlyOne = { ...published2(), generations: [generation(1, A, false), generation(2, B)] };
    await w.seed(onlyOne, [1, 2]);
    const error = await failure(rollback(w.deps('rb-1')));
    expect(error.code).toBe('NO_ROLLBACK_TARGET');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(
      /nothing to roll back to: generation 2 is published and no earlier complete generation is kept/,
    );
    expect(w.order).toEqual([]);
    expect(w.leases.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'failed' });
  });

  it('fails with NO_ROLLBACK_TARGET before anything was published, and when --to names no complete generation', async () => {
    const w = new World();
    const nothing = await failure(rollback(w.deps('rb-1')));
    expect(nothing.message).toMatch(/nothing is published yet/);
    await w.seed(published2(), [1, 2]);
    const gone = await failure(rollback(w.deps('rb-2', 5)));
    expect(gone.code).toBe('NO_ROLLBACK_TARGET');
    expect(gone.message).toBe('generation 5 is not a complete generation in Weaviate (complete generations kept: 1).');
    const same = await failure(rollback(w.deps('rb-3', 2)));
    expect(same.message).toBe('generation 2 is already published (complete generations kept: 1).');
    expect(w.order).toEqual([]);
  });

  it('publishes the generation --to names', async () => {
    const w = new World();
    const three = {
      ...published2(),
      generation: 3,
      generations: [generation(1, A), generation(2, B), generation(3, A)],
    };
    await w.seed(three, [1, 2, 3]);
    const outcome = await rollback(w.deps('rb-1', 1));
    expect(outcome).toMatchObject({ from: { id: 3 }, to: { id: 1 } });
    expect(w.order).toEqual(['status g1', 'aliases g1']);
  });

  it('refuses with LOCK_HELD while a live holder has the lease, naming it and its progress; writes nothing', async () => {
    const w = new World();
    await w.seed(published2(), [1, 2]);
    await w.leases.createTicket(3);
    const progress = { pass: 'objects' as const, collection: 'Skill', done: 40, total: 100 };
    await w.leases.writeHeartbeat(heartbeat(3, { runId: 'init-9', host: 'node-a', pid: 99, counter: 5, progress }));
    const writes = w.leases.writes.length;
    const error = await failure(rollback(w.deps('rb-1')));
    expect(error.code).toBe('LOCK_HELD');
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(
      /^run init-9 on node-a \(pid 99\) holds epoch 3 of the ingestion lease, at objects Skill 40\/100; nothing was changed/,
    );
    expect([...w.leases.tickets]).toEqual([3]);
    expect(w.leases.writes.length).toBe(writes);
    expect(w.order).toEqual([]);
    expect(await w.statuses.readRun('rb-1')).toBeNull();
  });

  it('publishes nothing once fenced before the status write (another process took the lease)', async () => {
    const w = new World();
    await w.seed(published2(), [1, 2]);
    const list = w.generations.list.bind(w.generations);
    w.generations.list = async () => {
      await w.leases.createTicket(2); // `unlock` elsewhere: epoch 2 fences our epoch 1
      return list();
    };
    const error = await failure(rollback(w.deps('rb-1')));
    expect(error.code).toBe('LOCK_LOST');
    expect(w.order).toEqual([]);
    expect(await w.generations.published()).toEqual({ state: 'generation', generation: 2 });
    expect((await w.status())?.generation).toBe(2);
  });

  it('switches no alias once fenced after the status write; the next rollback finishes that one, not the reverse', async () => {
    const w = new World();
    await w.seed(published2(), [1, 2]);
    const write = w.statuses.writeStatus;
    w.statuses.writeStatus = async (s) => {
      await write(s);
      await w.leases.createTicket(2);
    };
    const error = await failure(rollback(w.deps('rb-1')));
    expect(error.code).toBe('LOCK_LOST');
    expect(w.order).toEqual(['status g1']);
    expect(await w.generations.published()).toEqual({ state: 'generation', generation: 2 });
    expect(await w.statuses.readRun('rb-1')).toMatchObject({ state: 'failed', error: { code: 'LOCK_LOST' } });

    w.statuses.writeStatus = write;
    await w.leases.writeHeartbeat(heartbeat(2, { state: 'released', releasedReason: 'unlocked' }));
    const finished = await rollback(w.deps('rb-2'));
    expect(finished).toMatchObject({ from: { id: 2 }, to: { id: 1 }, finished: true });
    expect(await w.generations.published()).toEqual({ state: 'generation', generation: 1 });
    expect(await w.status()).toMatchObject({ generation: 1, rollback: { from: 2, runId: 'rb-1' } });
  });
});
