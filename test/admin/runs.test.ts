import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AdminRuns, type AdminRunsDeps, type RunLauncher } from '../../src/admin/runs.ts';
import { EscoInitError } from '../../src/errors.ts';
import type { Observation } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import type { RunRecord } from '../../src/status/status-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat, runRecord } from '../support/store-contract.ts';

const FREE: Observation = {
  epoch: 3,
  heartbeat: heartbeat(3, { state: 'released' }),
  unchangedMs: 0,
  condition: 'released',
};

/** A launcher whose runs end when the test says, writing their records as `init` would. */
class Launches {
  readonly started: { runId: string; force: boolean; by: string }[] = [];
  #finish: (() => void)[] = [];
  readonly store: MemoryStatusStore;

  constructor(store: MemoryStatusStore) {
    this.store = store;
  }

  readonly launch: RunLauncher = async ({ runId, force, trigger }) => {
    this.started.push({ runId, force, by: trigger.by });
    const queued = await this.store.readRun(runId);
    await this.store.writeRun({ ...(queued as RunRecord), state: 'running', trigger });
    await new Promise<void>((resolve) => this.#finish.push(resolve));
    await this.store.writeRun({ ...(queued as RunRecord), state: 'ingested', trigger, endedAt: 'now' });
  };

  finishAll(): void {
    for (const finish of this.#finish.splice(0)) finish();
  }
}

function setup(change: Partial<AdminRunsDeps> = {}) {
  const store = new MemoryStatusStore();
  const launches = new Launches(store);
  const ended: RunRecord[] = [];
  let n = 0;
  const runs = new AdminRuns({
    datasetKey: 'esco',
    toolVersion: '0.0.0-test',
    host: 'svc',
    pid: 9,
    statusStore: store,
    lock: { observe: async () => FREE },
    upstream: async () => null,
    prepare: async () => {},
    launch: launches.launch,
    newRunId: () => `run-${++n}`,
    onEnded: (run) => ended.push(run),
    log: silentLogger(),
    ...change,
  });
  return { runs, store, launches, ended };
}

const ASK = { force: false, by: 'ops', idempotencyKey: null };

describe('AdminRuns', () => {
  it('accepts one of two requests made at once, with its queued record written first, and names it to the other', async () => {
    const { runs, store, launches, ended } = setup();
    const [a, b] = await Promise.all([runs.submit(ASK), runs.submit({ ...ASK, by: 'ci' })]);
    expect(a).toEqual({ kind: 'accepted', runId: 'run-1', replayed: false });
    expect(b).toMatchObject({
      kind: 'conflict',
      active: { runId: 'run-1', source: 'this service', host: 'svc', pid: 9 },
    });
    expect(launches.started).toEqual([{ runId: 'run-1', force: false, by: 'ops' }]);
    const record = store.runs.get('run-1');
    expect(record?.trigger).toEqual({ by: 'ops', idempotencyKey: null, at: expect.any(String) });
    expect(record?.events[0]?.event).toBe('accepted over the operator API from ops');
    launches.finishAll();
    await runs.drain();
    expect(ended.map((r) => [r.runId, r.state])).toEqual([['run-1', 'ingested']]);
    expect(runs.current).toBeNull();
    expect(await runs.submit(ASK)).toMatchObject({ kind: 'accepted', runId: 'run-2' });
  });

  it('writes the queued record before the run starts', async () => {
    const store = new MemoryStatusStore();
    let seen: RunRecord | null = null;
    const { runs } = setup({
      statusStore: store,
      launch: async ({ runId }) => {
        seen = await store.readRun(runId);
      },
    });
    await runs.submit({ force: true, by: 'ops', idempotencyKey: 'k1' });
    await runs.drain();
    expect(seen).toMatchObject({ runId: 'run-1', state: 'queued', force: true, trigger: { idempotencyKey: 'k1' } });
  });

  it('answers a repeated Idempotency-Key with the same run, and refuses it with another body', async () => {
    const { runs, launches } = setup();
    const key = { ...ASK, idempotencyKey: 'deploy-42' };
    expect(await runs.submit(key)).toEqual({ kind: 'accepted', runId: 'run-1', replayed: false });
    expect(await runs.submit(key)).toEqual({ kind: 'accepted', runId: 'run-1', replayed: true });
    expect(await runs.submit({ ...key, force: true })).toEqual({ kind: 'key_reused', runId: 'run-1' });
    expect(launches.started).toHaveLength(1);
    launches.finishAll();
    await runs.drain();
    expect(await runs.submit(key)).toEqual({ kind: 'accepted', runId: 'run-1', replayed: true });
  });

  it('finds a key another replica accepted in the run records', async () => {
    const { runs, store, launches } = setup();
    await store.writeRun(
      runRecord('elsewhere', {
        state: 'ingested',
        trigger: { by: 'ops', idempotencyKey: 'deploy-7', at: '2026-12-03T00:00:00.000Z' },
      }),
    );
    expect(await runs.submit({ ...ASK, idempotencyKey: 'deploy-7' })).toEqual({
      kind: 'accepted',
      runId: 'elsewhere',
      replayed: true,
    });
    expect(launches.started).toEqual([]);
  });

  it('refuses while another process holds the lease, naming it, and writes nothing', async () => {
    const held: Observation = {
      epoch: 5,
      heartbeat: heartbeat(5, { runId: 'container-run', host: 'esco-init-1', pid: 1, progress: null }),
      unchangedMs: 2_400,
      condition: 'live',
    };
    const { runs, store, launches } = setup({ lock: { observe: async () => held } });
    expect(await runs.submit({ ...ASK, idempotencyKey: 'x' })).toEqual({
      kind: 'conflict',
      active: {
        runId: 'container-run',
        source: 'lease holder',
        host: 'esco-init-1',
        pid: 1,
        epoch: 5,
        silentSeconds: 2,
        progress: null,
      },
    });
    expect(store.runs.size).toBe(0);
    expect(launches.started).toEqual([]);
    expect(runs.current).toBeNull();
  });

  it('accepts a run when the holder went silent for the TTL (the run takes the lease over)', async () => {
    const stale: Observation = { epoch: 5, heartbeat: heartbeat(5), unchangedMs: 60_000, condition: 'stale' };
    const { runs } = setup({ lock: { observe: async () => stale } });
    expect(await runs.submit(ASK)).toMatchObject({ kind: 'accepted' });
  });

  it('is unavailable while Weaviate or the inference service is not ready, and frees the key', async () => {
    let reason: string | null = 'Weaviate is not reachable at http://w/v1/ (connect ECONNREFUSED)';
    const { runs, store } = setup({ upstream: async () => reason });
    const key = { ...ASK, idempotencyKey: 'retry-me' };
    expect(await runs.submit(key)).toEqual({ kind: 'unavailable', reason });
    expect(store.runs.size).toBe(0);
    reason = null;
    expect(await runs.submit(key)).toEqual({ kind: 'accepted', runId: 'run-2', replayed: false });
  });

  it('is unavailable when the run records cannot be written', async () => {
    const store = new MemoryStatusStore();
    store.writeRun = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:8080');
    };
    const { runs } = setup({ statusStore: store });
    expect(await runs.submit(ASK)).toEqual({
      kind: 'unavailable',
      reason: 'cannot read or write the run records in Weaviate: connect ECONNREFUSED 127.0.0.1:8080',
    });
    expect(runs.current).toBeNull();
  });

  it('records a run that failed before it could write its own record (e.g. invalid data) as failed', async () => {
    const invalid = new EscoInitError('DATA_INVALID', 'skills_en.csv line 3, column 2: expected a URI');
    const { runs, store, ended } = setup({
      launch: async () => {
        throw invalid;
      },
    });
    await runs.submit(ASK);
    await runs.drain();
    expect(store.runs.get('run-1')).toMatchObject({
      state: 'failed',
      error: { code: 'DATA_INVALID', message: invalid.message },
    });
    expect(store.runs.get('run-1')?.endedAt).not.toBeNull();
    expect(ended.map((r) => r.state)).toEqual(['failed']);
  });

  it('logs how a run failed when its record cannot be completed (Weaviate gone at the end)', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'error' },
      new Writable({ write: (chunk, _e, done) => done(void lines.push(String(chunk))) }),
    );
    const store = new MemoryStatusStore();
    const { runs, ended } = setup({
      statusStore: store,
      log,
      launch: async () => {
        store.readRun = async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:8080');
        };
        throw new EscoInitError('WRITE_FAILED', 'Skill_g3: batch refused');
      },
    });
    await runs.submit(ASK);
    await runs.drain();
    expect(ended).toEqual([]);
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      {
        runId: 'run-1',
        run: { code: 'WRITE_FAILED', message: 'Skill_g3: batch refused' },
        err: { message: 'connect ECONNREFUSED 127.0.0.1:8080' },
        msg: 'could not read or complete the run record of an admin run',
      },
    ]);
    expect(runs.current).toBeNull();
  });

  it('records a run interrupted before it began as interrupted', async () => {
    const { runs, store } = setup({
      launch: async () => {
        throw new EscoInitError('INTERRUPTED_SIGTERM', 'interrupted by SIGTERM');
      },
    });
    await runs.submit(ASK);
    await runs.drain();
    expect(store.runs.get('run-1')?.state).toBe('interrupted');
  });
});
