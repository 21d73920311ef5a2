import { describe, expect, it } from 'vitest';
import { EscoInitError } from '../../src/errors.ts';
import { newManifest } from '../../src/ingest/pipeline.ts';
import type { Observation } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { type JournalDeps, RunJournal } from '../../src/orchestration/run-journal.ts';
import type { RunRecord } from '../../src/status/status-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat, runRecord } from '../support/store-contract.ts';

function journalOf(change: Partial<JournalDeps> = {}) {
  const store = new MemoryStatusStore();
  const clock = new FakeClock();
  const d: JournalDeps = {
    owner: { runId: 'me', host: 'host-me', pid: 7 },
    datasetKey: 'esco',
    toolVersion: '0.0.0-test',
    force: false,
    fingerprint: 'f'.repeat(64),
    schemaVersion: 's1',
    statusStore: store,
    log: silentLogger(),
    clock,
    ...change,
  };
  return { journal: new RunJournal(d), store, clock };
}

function stale(runId: string, change: Partial<Observation> = {}): Observation {
  return { epoch: 4, heartbeat: heartbeat(4, { runId }), unchangedMs: 12_400, condition: 'stale', ...change };
}

describe('RunJournal', () => {
  it('begins a running record naming the run, and writes it when saved', async () => {
    const trigger = { by: 'ops', idempotencyKey: null, at: '2026-01-01T00:00:00.000Z' };
    const { journal, store } = journalOf({ trigger });
    expect(journal.running).toBe(true);
    await journal.save();
    expect(await store.readRun('me')).toMatchObject({
      runId: 'me',
      host: 'host-me',
      pid: 7,
      state: 'running',
      trigger,
      events: [{ at: trigger.at, event: 'accepted over the operator API from ops' }],
    });
  });

  it('words every decision in the record, and times only the first', async () => {
    const { journal, clock } = journalOf({ startedAt: 400 });
    await clock.advance(250);
    journal.decided({ action: 'ingest', reason: 'nothing ingested yet' });
    await clock.advance(1_000);
    journal.decided({ action: 'skip', reason: 'already complete' });
    expect(journal.decisionMs).toBe(1_000 + 250 - 400);
    expect(journal.decision).toEqual({ action: 'skip', reason: 'already complete' });
    expect(journal.record.decision).toBe('skip: already complete');
  });

  it('keeps epochs, events, passes and counts as the holder reports them', () => {
    const { journal } = journalOf();
    journal.acquired(3, 'first lease on this Weaviate');
    journal.note('resuming generation 2 of this dataset');
    const manifest = newManifest([{ name: 'read', resumable: false, run: async () => ({}) }]);
    journal.planned(manifest);
    journal.counted({ Skill: 3 });
    expect(journal.record).toMatchObject({ epochs: [3], passes: manifest.passes, counts: { Skill: 3 } });
    expect(journal.record.events.map((e) => e.event)).toEqual([
      'acquired the lease, epoch 3 (first lease on this Weaviate)',
      'resuming generation 2 of this dataset',
    ]);
  });

  it('ends the record as the outcome, and throws when that record cannot be written', async () => {
    const { journal, store } = journalOf();
    await journal.ended('ingested');
    expect(journal.running).toBe(false);
    expect(await store.readRun('me')).toMatchObject({ state: 'ingested', error: null, ms: expect.any(Number) });
    const broken = journalOf();
    broken.store.writeRun = async () => {
      throw new Error('Weaviate went away');
    };
    await expect(broken.journal.ended('skipped')).rejects.toThrow('Weaviate went away');
  });

  it('ends the record with the state and code a failure means; the failure wins over a failed write', async () => {
    const { journal, store } = journalOf();
    await journal.failed(new EscoInitError('INTERRUPTED_SIGTERM', 'interrupted by SIGTERM'));
    expect(await store.readRun('me')).toMatchObject({
      state: 'interrupted',
      error: { code: 'INTERRUPTED_SIGTERM', message: 'interrupted by SIGTERM' },
    });
    const broken = journalOf();
    broken.store.writeRun = async () => {
      throw new Error('Weaviate went away');
    };
    await expect(broken.journal.failed(new Error('boom'))).resolves.toBeUndefined();
    expect(broken.journal.record).toMatchObject({ state: 'failed', error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('records the run whose stale lease it takes over as interrupted', async () => {
    const { journal, store } = journalOf();
    await store.writeRun(runRecord('gone', { epochs: [4] }));
    await journal.takenOver(stale('gone'), 5);
    const gone = (await store.readRun('gone')) as RunRecord;
    const message =
      'taken over by run me (epoch 5): the heartbeat of epoch 4 did not move for 12 s, so the process was killed or stalled';
    expect(gone).toMatchObject({ state: 'interrupted', error: { code: 'TAKEN_OVER', message } });
    expect(gone.events.at(-1)?.event).toBe(message);
    expect(Date.parse(gone.endedAt ?? '')).toBeGreaterThan(0);
  });

  it('leaves alone released leases, its own run, and runs that already ended', async () => {
    const { journal, store } = journalOf();
    await store.writeRun(runRecord('gone'));
    await store.writeRun(runRecord('done', { state: 'ingested' }));
    await journal.takenOver(stale('gone', { condition: 'released' }), 5);
    await journal.takenOver(stale('done'), 5);
    await journal.takenOver(stale('me'), 5);
    expect((await store.readRun('gone'))?.state).toBe('running');
    expect((await store.readRun('done'))?.state).toBe('ingested');
    expect(await store.readRun('me')).toBeNull();
  });
});
