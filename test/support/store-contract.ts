/**
 * The contracts of LeaseStore and StatusStore, run against the in-memory stores (unit) and the
 * Weaviate ones (integration), so the fakes the unit tests rely on behave like the real thing.
 */
import { expect, it } from 'vitest';
import type { Heartbeat, LeaseStore } from '../../src/lease/lease-store.ts';
import {
  type DatasetStatus,
  notStarted,
  pruneRuns,
  type RunRecord,
  type StatusStore,
} from '../../src/status/status-store.ts';

export function heartbeat(epoch: number, change: Partial<Heartbeat> = {}): Heartbeat {
  return {
    epoch,
    runId: `run-${epoch}`,
    host: 'host',
    pid: 42,
    counter: 0,
    state: 'held',
    releasedReason: null,
    progress: null,
    acquiredAt: '2026-01-01T00:00:00.000Z',
    beatAt: '2026-01-01T00:00:00.000Z',
    ...change,
  };
}

export function runRecord(runId: string, change: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    datasetKey: 'esco',
    host: 'host',
    pid: 1,
    toolVersion: '0.0.0-test',
    state: 'running',
    decision: 'ingest: nothing ingested yet',
    force: false,
    fingerprint: 'f'.repeat(64),
    schemaVersion: 's1',
    epochs: [1],
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    ms: null,
    passes: [],
    resumed: [],
    counts: null,
    error: null,
    events: [],
    trigger: null,
    ...change,
  };
}

/** `fresh` returns an empty store (tickets and heartbeats of earlier tests gone). */
export function leaseStoreContract(fresh: () => Promise<LeaseStore>): void {
  it('creates each epoch ticket exactly once, even when many try at the same moment', async () => {
    const store = await fresh();
    const results = await Promise.all(Array.from({ length: 12 }, () => store.createTicket(1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.createTicket(2)).toBe(true);
    expect((await store.listTickets()).sort()).toEqual([1, 2]);
  });

  it('deletes tickets (a missing one is not an error)', async () => {
    const store = await fresh();
    await store.createTicket(3);
    await store.deleteTicket(3);
    await store.deleteTicket(3);
    expect(await store.listTickets()).toEqual([]);
    expect(await store.createTicket(3)).toBe(true);
  });

  it('stores a heartbeat per epoch and overwrites it on every beat', async () => {
    const store = await fresh();
    expect(await store.readHeartbeat(7)).toBeNull();
    await store.writeHeartbeat(heartbeat(7));
    const progress = { pass: 'objects' as const, collection: 'Skill', done: 500, total: 13896 };
    await store.writeHeartbeat(heartbeat(7, { counter: 1, progress }));
    await store.writeHeartbeat(heartbeat(8, { counter: 5 }));
    expect(await store.readHeartbeat(7)).toEqual(heartbeat(7, { counter: 1, progress }));
    expect((await store.readHeartbeat(8))?.counter).toBe(5);
    await store.deleteHeartbeat(7);
    expect(await store.readHeartbeat(7)).toBeNull();
  });
}

export function statusStoreContract(fresh: () => Promise<StatusStore>): void {
  it('reads back the status record it wrote, and null for an unknown key', async () => {
    const store = await fresh();
    expect(await store.readStatus('esco')).toBeNull();
    const status: DatasetStatus = {
      ...notStarted('esco', '0.0.0-test'),
      state: 'completed',
      fingerprint: 'f'.repeat(64),
      counts: { Skill: 13896, 'Skill.references': 120000 },
      resume: null,
    };
    await store.writeStatus(status);
    await store.writeStatus({ ...status, state: 'failed', error: { code: 'WRITE_FAILED', message: 'x' } });
    expect(await store.readStatus('esco')).toEqual({
      ...status,
      state: 'failed',
      error: { code: 'WRITE_FAILED', message: 'x' },
    });
    expect(await store.readStatus('other')).toBeNull();
  });

  it('keeps one run record per run id and lists the newest first', async () => {
    const store = await fresh();
    // Newest means latest written; Weaviate orders by a millisecond timestamp: keep writes apart.
    const pause = () => new Promise((r) => setTimeout(r, 5));
    await store.writeRun(runRecord('r1'));
    await pause();
    await store.writeRun(runRecord('r2'));
    await pause();
    await store.writeRun(runRecord('r3', { datasetKey: 'other' }));
    await pause();
    await store.writeRun(runRecord('r1', { state: 'ingested' }));
    expect((await store.readRun('r1'))?.state).toBe('ingested');
    expect((await store.listRuns('esco', 10)).map((r) => r.runId)).toEqual(['r1', 'r2']);
    expect((await store.listRuns('esco', 1)).map((r) => r.runId)).toEqual(['r1']);
    expect(await pruneRuns(store, 'esco', 1)).toBe(1);
    expect(await store.readRun('r2')).toBeNull();
  });
}
