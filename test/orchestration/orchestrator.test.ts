import { describe, expect, it } from 'vitest';
import { EscoInitError, isEscoInitError } from '../../src/errors.ts';
import { throwIfInterrupted } from '../../src/ingest/context.ts';
import type { PassDefinition } from '../../src/ingest/pipeline.ts';
import { Lock } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { type InitOutcome, orchestrate } from '../../src/orchestration/orchestrator.ts';
import type { HolderSession, OrchestratorDeps } from '../../src/orchestration/session.ts';
import type { DatasetStatus } from '../../src/status/status-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryGenerationStore } from '../support/memory-generation-store.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat, runRecord } from '../support/store-contract.ts';

const FP = 'f'.repeat(64);
const TTL = 4_000;
const BEAT = 1_000;

/** One Weaviate as the processes see it: shared stores, a shared clock, a log of data writes. */
class World {
  readonly clock = new FakeClock();
  readonly leases = new MemoryLeaseStore();
  readonly status = new MemoryStatusStore();
  readonly generations = new MemoryGenerationStore();
  /** `${runId}@${epoch}:${pass}` for every batch a holder wrote. */
  readonly writes: string[] = [];
  /** Passes that ran, per run. */
  readonly ran: string[] = [];

  /** A status record as an earlier run left it, with its published generation in place. */
  async seed(status: DatasetStatus): Promise<void> {
    await this.status.writeStatus(status);
    if (status.generation === null) return;
    this.generations.create(status.generation);
    if (status.state === 'completed') await this.generations.publish(status.generation);
  }
}

interface PassPlan {
  batches?: number;
  batchMs?: number;
  /** Fails the named pass, once. */
  fail?: { pass: string; error: Error };
  signal?: AbortSignal;
  /** Runs inside the named pass, once (e.g. another process breaking the lease). */
  during?: { pass: string; action: () => Promise<unknown> };
}

function fakePasses(world: World, runId: string, plan: PassPlan = {}) {
  return (session: HolderSession): PassDefinition[] => {
    const body = (name: string, writes: boolean) => async () => {
      world.ran.push(`${runId}:${name}`);
      if (name === 'schema') world.generations.create(session.generation);
      for (let i = 0; writes && i < (plan.batches ?? 3); i++) {
        if (plan.signal) throwIfInterrupted(plan.signal);
        await session.guard();
        world.writes.push(`${runId}@${session.epoch}:${name}`);
        session.progress({ pass: 'objects', collection: 'Skill', done: i + 1, total: plan.batches ?? 3 });
        await world.clock.sleep(plan.batchMs ?? 500);
      }
      if (plan.during?.pass === name) {
        const { action } = plan.during;
        plan.during = undefined;
        await action();
      }
      if (plan.fail?.pass === name) {
        const { error } = plan.fail;
        plan.fail = undefined; // once: a retry by the same process gets past it
        throw error;
      }
      return { counts: { batches: plan.batches ?? 3 } };
    };
    return [
      { name: 'read', resumable: false, run: body('read', false) },
      { name: 'schema', resumable: false, run: body('schema', false) },
      { name: 'objects', resumable: true, run: body('objects', true) },
      { name: 'references', resumable: true, run: body('references', true) },
      { name: 'verify', resumable: false, run: body('verify', false) },
      {
        name: 'publish',
        resumable: false,
        run: async () => {
          world.ran.push(`${runId}:publish`);
          await session.publish({ Skill: 3, references: 7 });
          return { counts: { Skill: 3 } };
        },
      },
    ];
  };
}

function deps(world: World, runId: string, change: Partial<OrchestratorDeps> & { plan?: PassPlan } = {}) {
  const owner = { runId, host: `host-${runId}`, pid: 1 };
  const { plan, ...rest } = change;
  const d: OrchestratorDeps = {
    datasetKey: 'esco',
    fingerprint: FP,
    schemaVersion: 'schema-1',
    toolVersion: '0.0.0-test',
    force: false,
    owner,
    statusStore: world.status,
    generations: world.generations,
    keepGenerations: 1,
    lock: new Lock(world.leases, { ttlMs: TTL, heartbeatMs: BEAT, owner, log: silentLogger(), clock: world.clock }),
    clock: world.clock,
    passes: fakePasses(world, runId, plan),
    pollMs: 500,
    waitTimeoutMs: 60_000,
    maxAttempts: 3,
    signal: new AbortController().signal,
    log: silentLogger(),
    ...rest,
  };
  return d;
}

type Settled = { outcome: InitOutcome } | { error: unknown };

/** Starts the runs and moves the fake clock until all of them ended. */
async function runAll(world: World, runs: OrchestratorDeps[], limitMs = 120_000): Promise<Settled[]> {
  const results: (Settled | undefined)[] = runs.map(() => undefined);
  runs.forEach((d, i) => {
    orchestrate(d).then(
      (outcome) => {
        results[i] = { outcome };
      },
      (error: unknown) => {
        results[i] = { error };
      },
    );
  });
  for (let t = 0; t < limitMs && results.some((r) => r === undefined); t += 100) await world.clock.advance(100);
  if (results.some((r) => r === undefined)) throw new Error(`runs still going after ${limitMs} ms of fake time`);
  return results as Settled[];
}

function outcomeOf(s: Settled | undefined): InitOutcome {
  if (!s || !('outcome' in s)) throw new Error(`expected an outcome, got ${String(s && 'error' in s ? s.error : s)}`);
  return s.outcome;
}

function errorOf(s: Settled | undefined): EscoInitError {
  if (!s || !('error' in s) || !(s.error instanceof EscoInitError)) throw new Error('expected an EscoInitError');
  return s.error;
}

function takerOptions(runId: string) {
  return { ttlMs: TTL, heartbeatMs: BEAT, owner: { runId, host: 'h', pid: 5 }, log: silentLogger() };
}

function completedStatus(change: Partial<DatasetStatus> = {}): DatasetStatus {
  return {
    key: 'esco',
    state: 'completed',
    fingerprint: FP,
    schemaVersion: 'schema-1',
    toolVersion: '0.0.0-test',
    counts: { Skill: 3 },
    runId: 'earlier',
    epoch: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:00.000Z',
    error: null,
    resume: null,
    generation: 1,
    generations: [
      {
        id: 1,
        fingerprint: FP,
        schemaVersion: 'schema-1',
        runId: 'earlier',
        createdAt: '2026-01-01T00:00:00.000Z',
        completedAt: '2026-01-01T00:00:00.000Z',
        counts: { Skill: 3 },
      },
    ],
    rollback: null,
    ...change,
  };
}

describe('orchestrate', () => {
  it('ingests on a cold start: every pass, status completed, run recorded, lease released', async () => {
    const world = new World();
    const [result] = await runAll(world, [deps(world, 'a')]);
    const outcome = outcomeOf(result);
    expect(outcome.state).toBe('ingested');
    expect(world.ran).toEqual(['a:read', 'a:schema', 'a:objects', 'a:references', 'a:verify', 'a:publish']);
    expect(await world.status.readStatus('esco')).toMatchObject({
      state: 'completed',
      fingerprint: FP,
      schemaVersion: 'schema-1',
      counts: { Skill: 3, references: 7 },
      runId: 'a',
      epoch: 1,
      resume: null,
    });
    const run = await world.status.readRun('a');
    expect(run).toMatchObject({ state: 'ingested', epochs: [1], decision: 'ingest: nothing ingested yet' });
    expect(outcome.decision).toEqual({ action: 'ingest', reason: 'nothing ingested yet' });
    expect(run?.passes.map((p) => p.status)).toEqual(Array(6).fill('done'));
    expect(world.leases.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'completed' });
    // The status went in_progress before any data was written, then completed.
    expect(world.status.statusWrites.map((s) => s.state)).toEqual([
      'in_progress',
      'in_progress',
      'in_progress',
      'in_progress',
      'in_progress',
      'completed',
    ]);
  });

  it('skips a warm start without touching the lease', async () => {
    const world = new World();
    await world.seed(completedStatus());
    const outcome = outcomeOf((await runAll(world, [deps(world, 'warm')]))[0]);
    expect(outcome.state).toBe('skipped');
    expect(outcome.run.decision).toMatch(/^skip: already complete/);
    expect(outcome.decision).toEqual({ action: 'skip', reason: outcome.run.decision.slice('skip: '.length) });
    expect(world.leases.tickets.size).toBe(0);
    expect(world.ran).toEqual([]);
    expect((await world.status.readRun('warm'))?.state).toBe('skipped');
  });

  it('ingests exactly once when four start together; the others exit only after completion', async () => {
    const world = new World();
    const runs = ['p1', 'p2', 'p3', 'p4'].map((id) => deps(world, id, { plan: { batches: 10 } }));
    const results = await runAll(world, runs);
    const outcomes = results.map(outcomeOf);
    expect(outcomes.map((o) => o.state).sort()).toEqual(['ingested', 'waited', 'waited', 'waited']);
    const holder = outcomes.find((o) => o.state === 'ingested')?.run.runId;
    expect(new Set(world.writes.map((w) => w.split('@')[0]))).toEqual(new Set([holder]));
    expect(world.writes).toHaveLength(20);
    const completedAt = Date.parse((await world.status.readStatus('esco'))?.completedAt ?? '');
    for (const o of outcomes.filter((o) => o.state === 'waited')) {
      expect(Date.parse(o.run.endedAt ?? '')).toBeGreaterThanOrEqual(completedAt);
      expect(o.run.epochs).toEqual([]);
    }
  });

  it('fails loudly: status failed with the error, lease released, the error rethrown', async () => {
    const world = new World();
    const error = new EscoInitError('DATA_INVALID', 'skills_en.csv line 7: bad');
    const result = (await runAll(world, [deps(world, 'bad', { plan: { fail: { pass: 'read', error } } })]))[0];
    expect(errorOf(result)).toBe(error);
    expect(await world.status.readStatus('esco')).toMatchObject({
      state: 'failed',
      error: { code: 'DATA_INVALID', message: 'skills_en.csv line 7: bad' },
    });
    expect((await world.status.readRun('bad'))?.passes.map((p) => p.status)).toEqual([
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(world.leases.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'failed' });
  });

  it('lets a waiter take over from a failed holder at once and resume what it completed', async () => {
    const world = new World();
    const error = new EscoInitError('WRITE_FAILED', 'Weaviate refused a batch');
    const failing = deps(world, 'first', { plan: { fail: { pass: 'references', error } } });
    const waiter = deps(world, 'second');
    const [first, second] = await runAll(world, [failing, waiter]);
    expect(errorOf(first).code).toBe('WRITE_FAILED');
    const outcome = outcomeOf(second);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.resumed).toEqual(['objects']);
    expect(outcome.run.passes.find((p) => p.name === 'objects')?.status).toBe('resumed');
    expect(world.ran.filter((r) => r.startsWith('second:'))).not.toContain('second:objects');
    expect(outcome.run.epochs).toEqual([2]);
  });

  it('redoes the writing passes after a verification failure instead of resuming them', async () => {
    const world = new World();
    const error = new EscoInitError('VERIFY_FAILED', 'Skill: 2 objects stored, 3 expected');
    const first = errorOf((await runAll(world, [deps(world, 'v1', { plan: { fail: { pass: 'verify', error } } })]))[0]);
    expect(first.code).toBe('VERIFY_FAILED');
    expect((await world.status.readStatus('esco'))?.resume?.passes).toEqual([]);
    const again = outcomeOf((await runAll(world, [deps(world, 'v2')]))[0]);
    expect(again.run.resumed).toEqual([]);
    expect(world.ran).toContain('v2:objects');
  });

  it('takes over a holder that died (no heartbeat) after the TTL, and only then', async () => {
    const world = new World();
    world.leases.tickets.add(1); // the dead holder's ticket; it never beat again
    await world.seed(completedStatus({ state: 'in_progress', runId: 'dead', completedAt: null }));
    const d = deps(world, 'next');
    const outcome = outcomeOf((await runAll(world, [d]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.epochs).toEqual([2]);
    expect(outcome.run.events[0]?.event).toMatch(
      /took over epoch 1 from a holder that never beat: no heartbeat for 4 s/,
    );
  });

  it('records the run of a holder that was killed as interrupted (taken over), never left running', async () => {
    const world = new World();
    world.leases.tickets.add(1);
    world.leases.heartbeats.set(1, heartbeat(1, { runId: 'killed', host: 'pod-a', pid: 7 }));
    await world.status.writeRun(runRecord('killed', { state: 'running', epochs: [1] }));
    await world.status.writeRun(runRecord('finished', { state: 'ingested', epochs: [0] }));
    const outcome = outcomeOf((await runAll(world, [deps(world, 'next')]))[0]);
    expect(outcome.state).toBe('ingested');
    const killed = await world.status.readRun('killed');
    expect(killed?.state).toBe('interrupted');
    expect(killed?.endedAt).not.toBeNull();
    expect(killed?.error).toEqual({
      code: 'TAKEN_OVER',
      message: expect.stringMatching(/taken over by run next \(epoch 2\)/),
    });
    expect(killed?.events.at(-1)?.event).toMatch(/did not move for 4 s/);
    expect((await world.status.readRun('finished'))?.state).toBe('ingested');
  });

  it('stops a superseded holder before its next batch; it follows and finishes under a new epoch', async () => {
    const world = new World();
    const d = deps(world, 'slow', { plan: { batches: 6, batchMs: 1_000 } });
    const admin = new Lock(world.leases, {
      ttlMs: TTL,
      heartbeatMs: BEAT,
      owner: { runId: 'admin', host: 'h', pid: 2 },
      log: silentLogger(),
      clock: world.clock,
    });
    const running = runAll(world, [d]);
    await world.clock.advance(0); // let it start
    while (world.writes.length < 2) await world.clock.advance(100);
    expect(await admin.breakLease('unlocked')).toEqual({ from: 1, to: 2 });
    const outcome = outcomeOf((await running)[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.epochs).toEqual([1, 3]);
    // Not one batch under epoch 1 after the break, and epoch 1 never wrote the status again.
    const afterBreak = world.writes.slice(2);
    expect(afterBreak.every((w) => w.startsWith('slow@3:'))).toBe(true);
    const statusEpochs = world.status.statusWrites.map((s) => s.epoch);
    expect(statusEpochs.slice(statusEpochs.lastIndexOf(1) + 1).every((e) => e === 3)).toBe(true);
    expect(outcome.run.events.map((e) => e.event).join('\n')).toMatch(/lost the lease \(epoch 1\)/);
  });

  it('never publishes under a lost lease, even when the loss happens after the last batch', async () => {
    const world = new World();
    const admin = new Lock(world.leases, {
      ttlMs: TTL,
      heartbeatMs: BEAT,
      owner: { runId: 'admin', host: 'h', pid: 2 },
      log: silentLogger(),
      clock: world.clock,
    });
    const d = deps(world, 'late', { plan: { during: { pass: 'verify', action: () => admin.breakLease('unlocked') } } });
    const outcome = outcomeOf((await runAll(world, [d]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.epochs).toEqual([1, 3]);
    const completed = world.status.statusWrites.filter((s) => s.state === 'completed');
    expect(completed.map((s) => s.epoch)).toEqual([3]);
    expect(outcome.run.resumed).toEqual(['objects', 'references']);
  });

  it('treats any failure of a superseded holder as the loss it is (a dead connection after a pause)', async () => {
    const world = new World();
    const admin = new Lock(world.leases, { ...takerOptions('admin'), clock: world.clock });
    const d = deps(world, 'woke', {
      plan: {
        during: { pass: 'references', action: () => admin.breakLease('unlocked') },
        fail: { pass: 'references', error: new TypeError('fetch failed') },
      },
    });
    const outcome = outcomeOf((await runAll(world, [d]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.epochs).toEqual([1, 3]);
    expect(outcome.run.events.map((e) => e.event).join('\n')).toMatch(/noticed through: fetch failed/);
    expect(world.status.statusWrites.some((s) => s.state === 'failed')).toBe(false);
  });

  it('counts --wait-timeout from when it starts waiting, not from when it started holding', async () => {
    const world = new World();
    const taker = new Lock(world.leases, {
      ttlMs: TTL,
      heartbeatMs: BEAT,
      owner: { runId: 'taker', host: 'h', pid: 4 },
      log: silentLogger(),
      clock: world.clock,
    });
    // The holder works 8 s, loses the lease to a live taker, then waits 6 s for it to complete.
    const takeOver = async () => {
      const admin = new Lock(world.leases, { ...takerOptions('admin'), clock: world.clock });
      await admin.breakLease('unlocked');
      const taken = await taker.tryAcquire();
      taken.lease?.startHeartbeat();
      void world.clock.sleep(6_000).then(async () => {
        const status = await world.status.readStatus('esco');
        await world.status.writeStatus({
          ...completedStatus(),
          ...status,
          state: 'completed',
          runId: 'taker',
          epoch: 3,
        });
        await taken.lease?.release('completed');
      });
    };
    const d = deps(world, 'long', {
      waitTimeoutMs: 7_000,
      plan: { batches: 4, batchMs: 1_000, during: { pass: 'references', action: takeOver } },
    });
    const outcome = outcomeOf((await runAll(world, [d]))[0]);
    expect(outcome.state).toBe('waited');
    expect(outcome.run.epochs).toEqual([1]);
  });

  it('gives up waiting for a live holder after --wait-timeout (LOCK_WAIT_TIMEOUT)', async () => {
    const world = new World();
    const holderLock = new Lock(world.leases, {
      ttlMs: TTL,
      heartbeatMs: BEAT,
      owner: { runId: 'other', host: 'h', pid: 3 },
      log: silentLogger(),
      clock: world.clock,
    });
    const held = await holderLock.tryAcquire();
    held.lease?.startHeartbeat();
    const result = (await runAll(world, [deps(world, 'patient', { waitTimeoutMs: 10_000 })]))[0];
    const error = errorOf(result);
    expect(error.code).toBe('LOCK_WAIT_TIMEOUT');
    expect(error.message).toMatch(/run other on h \(pid 3\)/);
    expect((await world.status.readRun('patient'))?.state).toBe('gave_up');
    await held.lease?.release('completed');
  });

  it('records an interrupted run, marks the status failed and releases the lease', async () => {
    const world = new World();
    const controller = new AbortController();
    const d = deps(world, 'term', { signal: controller.signal, plan: { batches: 20, signal: controller.signal } });
    const running = runAll(world, [d]);
    while (world.writes.length < 3) await world.clock.advance(100);
    controller.abort('SIGTERM');
    const error = errorOf((await running)[0]);
    expect(error.code).toBe('INTERRUPTED_SIGTERM');
    expect(world.writes).toHaveLength(3);
    expect((await world.status.readRun('term'))?.state).toBe('interrupted');
    expect((await world.status.readStatus('esco'))?.error?.code).toBe('INTERRUPTED_SIGTERM');
    expect(world.leases.heartbeats.get(1)).toMatchObject({ state: 'released', releasedReason: 'interrupted' });
  });

  it('asks before replacing complete data when someone can answer, and respects a no', async () => {
    const world = new World();
    await world.seed(completedStatus({ fingerprint: 'e'.repeat(64) }));
    const questions: string[] = [];
    const confirm = async (q: string) => {
      questions.push(q);
      return false;
    };
    const outcome = outcomeOf((await runAll(world, [deps(world, 'tty', { confirm })]))[0]);
    expect(questions[0]).toMatch(/dataset changed.*Re-ingest\?/);
    expect(outcome.state).toBe('skipped');
    expect(outcome.decision.action).toBe('declined');
    expect(outcome.decision.reason).toMatch(/dataset changed/);
    expect(outcome.run.decision).toBe(`declined: ${outcome.decision.reason}`);
    expect((await world.status.readRun('tty'))?.decision).toBe(outcome.run.decision);
    expect(world.leases.tickets.size).toBe(0);
  });

  it('with --force-reingest re-ingests complete data once, however many start', async () => {
    const world = new World();
    await world.seed(completedStatus({ epoch: 0 }));
    const runs = ['f1', 'f2', 'f3'].map((id) => deps(world, id, { force: true }));
    const outcomes = (await runAll(world, runs)).map(outcomeOf);
    expect(outcomes.map((o) => o.state).sort()).toEqual(['ingested', 'waited', 'waited']);
    expect(world.ran.filter((r) => r.endsWith(':publish'))).toHaveLength(1);
  });

  it('rides out a short Weaviate hiccup while waiting, but fails a run that keeps failing', async () => {
    const world = new World();
    world.leases.failNext(new Error('connection reset'));
    expect(outcomeOf((await runAll(world, [deps(world, 'hiccup')]))[0]).state).toBe('ingested');

    const down = new World();
    for (let i = 0; i < 11; i++) down.leases.failNext(new Error('connection refused'));
    const result = (await runAll(down, [deps(down, 'down')]))[0];
    expect(result && 'error' in result && (result.error as Error).message).toBe('connection refused');
    expect(isEscoInitError(result && 'error' in result ? result.error : null)).toBe(false);
    expect((await down.status.readRun('down'))?.state).toBe('failed');
  });
});

describe('orchestrate with generations', () => {
  const OTHER = 'e'.repeat(64);

  /** Earlier holdings of the lease, released: the next holder's epoch (and new generation) is n + 1. */
  async function pastEpochs(world: World, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const earlier = new Lock(world.leases, { ...takerOptions(`earlier-${i}`), clock: world.clock });
      await (await earlier.tryAcquire()).lease?.release('completed');
    }
  }

  function generation(id: number, fingerprint: string, complete: boolean): DatasetStatus['generations'][number] {
    const at = complete ? '2026-01-01T00:00:00.000Z' : null;
    const record = { id, fingerprint, schemaVersion: 'schema-1', runId: `run-${id}` };
    return {
      ...record,
      createdAt: '2026-01-01T00:00:00.000Z',
      completedAt: at,
      counts: complete ? { Skill: 3 } : null,
    };
  }

  /** Release `OTHER` published as generation 1; a crashed run of `FP` left generation 2 unfinished after objects. */
  async function crashedUpgrade(world: World): Promise<void> {
    await world.seed(completedStatus({ fingerprint: OTHER, generations: [generation(1, OTHER, true)] }));
    world.generations.create(2);
    await world.status.writeStatus(
      completedStatus({
        state: 'in_progress',
        fingerprint: FP,
        runId: 'crashed',
        epoch: 2,
        resume: { fingerprint: FP, schemaVersion: 'schema-1', passes: ['objects'], generation: 2 },
        generations: [generation(1, OTHER, true), generation(2, FP, false)],
      }),
    );
    await pastEpochs(world, 2);
  }

  it('builds a generation named after its epoch aside; the status names it before the aliases move', async () => {
    const world = new World();
    await world.seed(completedStatus({ fingerprint: OTHER, generations: [generation(1, OTHER, true)] }));
    await pastEpochs(world, 1);
    const statusAtPublish: (number | null | undefined)[] = [];
    const publish = world.generations.publish.bind(world.generations);
    world.generations.publish = async (g) => {
      statusAtPublish.push((await world.status.readStatus('esco'))?.generation);
      await publish(g);
    };
    const outcome = outcomeOf((await runAll(world, [deps(world, 'up')]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(world.generations.publishes).toEqual([1, 2]);
    expect(statusAtPublish).toEqual([2]);
    // Until the publish, every status write kept generation 1 published.
    const writes = world.status.statusWrites.slice(1);
    expect(writes.filter((s) => s.state !== 'completed').every((s) => s.generation === 1)).toBe(true);
    const status = await world.status.readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', fingerprint: FP, generation: 2, resume: null });
    expect(status?.generations.map((g) => [g.id, g.fingerprint, g.completedAt !== null])).toEqual([
      [1, OTHER, true],
      [2, FP, true],
    ]);
    expect(await world.generations.published()).toEqual({ state: 'generation', generation: 2 });
  });

  it('drops the generation begun for invalid data at once (it can never complete); keeps it after other failures', async () => {
    for (const [error, dropped] of [
      [new EscoInitError('DATA_INVALID', 'skills_en.csv:9: bad row'), true],
      [new EscoInitError('WRITE_FAILED', 'Weaviate said no'), false],
    ] as const) {
      const world = new World();
      await world.seed(completedStatus({ fingerprint: OTHER, generations: [generation(1, OTHER, true)] }));
      await pastEpochs(world, 1);
      const settled = await runAll(world, [deps(world, 'bad', { plan: { fail: { pass: 'objects', error } } })]);
      expect(errorOf(settled[0]).code).toBe(error.code);
      const status = await world.status.readStatus('esco');
      expect(status).toMatchObject({ state: 'failed', generation: 1 });
      expect(await world.generations.published()).toEqual({ state: 'generation', generation: 1 });
      if (dropped) {
        expect(world.generations.drops).toEqual([2]);
        expect(status).toMatchObject({ resume: null });
        expect(status?.generations.map((g) => g.id)).toEqual([1]);
      } else {
        expect(world.generations.drops).toEqual([]);
        expect(status?.resume).toMatchObject({ generation: 2, fingerprint: FP });
      }
    }
  });

  it('resumes the generation a crashed run of the same dataset left unfinished, and publishes it', async () => {
    const world = new World();
    await crashedUpgrade(world);
    const outcome = outcomeOf((await runAll(world, [deps(world, 'again')]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.epochs).toEqual([3]);
    expect(outcome.run.resumed).toEqual(['objects']);
    expect(world.ran).not.toContain('again:objects');
    expect(outcome.run.events.map((e) => e.event)).toContain('resuming generation 2 of this dataset');
    expect(world.generations.publishes).toEqual([1, 2]);
    expect([...world.generations.built].sort()).toEqual([1, 2]); // no generation 3 was begun
    expect(world.generations.drops).toEqual([]);
    expect(await world.status.readStatus('esco')).toMatchObject({ state: 'completed', generation: 2 });
  });

  it('drops the unfinished generation of another dataset before building a new one', async () => {
    const world = new World();
    await crashedUpgrade(world);
    const dropsBeforeSchema: number[][] = [];
    const create = world.generations.create.bind(world.generations);
    world.generations.create = (g) => {
      dropsBeforeSchema.push([...world.generations.drops]);
      create(g);
    };
    const third = 'd'.repeat(64);
    const outcome = outcomeOf((await runAll(world, [deps(world, 'third', { fingerprint: third })]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.resumed).toEqual([]);
    expect(outcome.run.events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['building generation 3', 'dropped generation 2 (before building)']),
    );
    expect(dropsBeforeSchema).toEqual([[2]]);
    expect(world.generations.publishes).toEqual([1, 3]);
    expect([...world.generations.built].sort()).toEqual([1, 3]);
    const status = await world.status.readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', fingerprint: third, generation: 3 });
    expect(status?.generations.map((g) => g.id)).toEqual([1, 3]);
  });

  it('finishes an interrupted switch: the aliases are pointed at the published generation, nothing is built', async () => {
    const world = new World();
    world.generations.create(1);
    await world.seed(
      completedStatus({ generation: 2, epoch: 2, generations: [generation(1, OTHER, true), generation(2, FP, true)] }),
    );
    world.generations.names.set('Skill', 1); // the status and Occupation moved to 2, Skill did not
    await pastEpochs(world, 2);
    const outcome = outcomeOf((await runAll(world, [deps(world, 'fix')]))[0]);
    expect(outcome.state).toBe('ingested');
    expect(outcome.run.decision).toMatch(
      /^ingest: generation 2 is published in the status record but the aliases point elsewhere \(Skill → generation 1.*: finishing the switch$/,
    );
    expect(outcome.run.events.map((e) => e.event)).toContain('finished the switch to generation 2');
    expect(world.ran.filter((pass) => pass.startsWith('fix:'))).toEqual([]); // nothing built or written
    expect(world.generations.publishes).toEqual([2, 2]);
    expect([...world.generations.built].sort()).toEqual([1, 2]);
    expect(await world.generations.published()).toEqual({ state: 'generation', generation: 2 });
    const again = outcomeOf((await runAll(world, [deps(world, 'warm')]))[0]);
    expect(again.state).toBe('skipped');
  });

  it('never publishes the generation of a superseded holder; the holders after it publish their own', async () => {
    const world = new World();
    const admin = new Lock(world.leases, { ...takerOptions('admin'), clock: world.clock });
    const other = 'c'.repeat(64);
    let taker: Promise<InitOutcome> | undefined;
    // Fenced after its last batch, before its publish: meanwhile another release is deployed.
    const takeOver = async () => {
      await admin.breakLease('unlocked');
      taker = orchestrate(deps(world, 'taker', { fingerprint: other }));
    };
    const d = deps(world, 'fenced', { plan: { during: { pass: 'verify', action: takeOver } } });
    const outcome = outcomeOf((await runAll(world, [d]))[0]);
    const took = await taker;
    expect(took?.state).toBe('ingested');
    expect(took?.run.epochs).toEqual([3]);
    expect(outcome.state).toBe('ingested'); // it followed, then ingested its dataset over the taker's
    expect(outcome.run.epochs).toEqual([1, 4]);
    expect(outcome.run.events.map((e) => e.event).join('\n')).toMatch(/lost the lease \(epoch 1\)/);
    expect(world.generations.publishes).toEqual([3, 4]);
    expect(world.generations.drops).toContain(1);
    const completed = world.status.statusWrites.filter((s) => s.state === 'completed');
    expect(completed.map((s) => [s.epoch, s.generation])).toEqual([
      [3, 3],
      [4, 4],
    ]);
  });

  it('keeps the published generation and one previous (generations.keep = 1): older ones go after a publish', async () => {
    const world = new World();
    for (const [i, fingerprint] of [OTHER, FP, 'b'.repeat(64)].entries()) {
      const outcome = outcomeOf((await runAll(world, [deps(world, `r${i}`, { fingerprint })]))[0]);
      expect(outcome.state).toBe('ingested');
    }
    expect(world.generations.publishes).toEqual([1, 2, 3]);
    expect(world.generations.drops).toEqual([1]);
    expect([...world.generations.built].sort()).toEqual([2, 3]);
    const status = await world.status.readStatus('esco');
    expect(status?.generation).toBe(3);
    expect(status?.generations.map((g) => g.id)).toEqual([2, 3]);
  });
});
