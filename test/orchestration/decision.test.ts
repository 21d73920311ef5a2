import { describe, expect, it } from 'vitest';
import { decide } from '../../src/orchestration/decision.ts';
import { type DatasetStatus, notStarted } from '../../src/status/status-store.ts';

const FP = 'f'.repeat(64);
const SCHEMA = 'schema-1';

function status(change: Partial<DatasetStatus>): DatasetStatus {
  const base = { ...notStarted('esco', '0.1.0'), fingerprint: FP, schemaVersion: SCHEMA, runId: 'r1', epoch: 3 };
  return { ...base, generation: 3, ...change };
}

const published = { state: 'generation', generation: 3 } as const;
const input = { fingerprint: FP, schemaVersion: SCHEMA, force: false, startEpoch: 0, published };

describe('decide', () => {
  it('skips only a completed dataset with the same fingerprint and schema version', () => {
    expect(decide({ ...input, status: status({ state: 'completed' }) })).toMatchObject({ action: 'skip' });
    for (const state of ['not_started', 'in_progress', 'failed'] as const) {
      expect(decide({ ...input, status: status({ state }) }).action).toBe('ingest');
    }
    expect(decide({ ...input, status: null })).toMatchObject({ action: 'ingest', reason: 'nothing ingested yet' });
  });

  it('re-ingests a changed dataset or schema, saying which and that complete data gets replaced', () => {
    const changed = decide({ ...input, status: status({ state: 'completed', fingerprint: 'a'.repeat(64) }) });
    expect(changed).toMatchObject({ action: 'ingest', replacesCompleteData: true });
    expect(changed.reason).toMatch(/dataset changed \(fingerprint aaaaaaaaaaaa → ffffffffffff\)/);
    const schema = decide({ ...input, status: status({ state: 'completed', schemaVersion: 'schema-0' }) });
    expect(schema.reason).toMatch(/schema changed \(schema-0 → schema-1\)/);
  });

  it('forces a re-ingest, unless a holder completed it under an epoch newer than this start', () => {
    const completed = status({ state: 'completed', epoch: 3 });
    expect(decide({ ...input, force: true, startEpoch: 3, status: completed })).toMatchObject({
      action: 'ingest',
      reason: 'forced (--force-reingest)',
      resume: [],
    });
    expect(decide({ ...input, force: true, startEpoch: 2, status: completed })).toMatchObject({ action: 'skip' });
  });

  it('resumes the passes a failed run completed, for the same fingerprint and schema only', () => {
    const resume = { fingerprint: FP, schemaVersion: SCHEMA, passes: ['objects'], generation: 4 };
    const failed = status({ state: 'failed', error: { code: 'WRITE_FAILED', message: 'x' }, resume });
    expect(decide({ ...input, status: failed })).toMatchObject({ action: 'ingest', resume: ['objects'] });
    expect(decide({ ...input, status: failed }).reason).toMatch(/last run failed \(WRITE_FAILED\)/);
    const other = status({ state: 'failed', resume: { ...resume, fingerprint: 'b'.repeat(64) } });
    expect(decide({ ...input, status: other })).toMatchObject({ resume: [] });
    expect(decide({ ...input, force: true, status: failed })).toMatchObject({ resume: [] });
  });

  it('finishes an interrupted switch: complete and unchanged, but the published names point elsewhere', () => {
    const completed = status({ state: 'completed' });
    const mixed = { state: 'mixed', detail: 'Skill → generation 3, Occupation → generation 2' } as const;
    const decision = decide({ ...input, published: mixed, status: completed });
    expect(decision).toMatchObject({ action: 'ingest', replacesCompleteData: false, switchTo: 3 });
    expect(decision.reason).toMatch(
      /generation 3 is published in the status record but the aliases point elsewhere \(Skill → generation 3/,
    );
    const behind = decide({ ...input, published: { state: 'generation', generation: 2 }, status: completed });
    expect(behind).toMatchObject({ switchTo: 3 });
    expect(behind.reason).toMatch(/point elsewhere \(generation 2\): finishing the switch/);
    // A new dataset is built and published: that switch points every alias anyway.
    const other = decide({ ...input, fingerprint: 'd'.repeat(64), published: mixed, status: completed });
    expect(other).toMatchObject({ action: 'ingest', replacesCompleteData: true });
    expect(other).not.toHaveProperty('switchTo');
  });

  it('rebuilds collections written before generations as a generation, once, without asking', () => {
    const legacy = status({ state: 'completed', generation: null });
    const decision = decide({ ...input, published: { state: 'collections' }, status: legacy });
    expect(decision).toMatchObject({ action: 'ingest', replacesCompleteData: false });
    expect(decision.reason).toMatch(/predate generations/);
  });

  it('does not publish a rolled-back dataset again, unless forced', () => {
    const rollback = { from: 5, fingerprint: 'b'.repeat(64), schemaVersion: SCHEMA, runId: 'rb', at: 'now' };
    const rolledBack = status({ state: 'completed', fingerprint: FP, rollback });
    const again = decide({ ...input, fingerprint: 'b'.repeat(64), status: rolledBack });
    expect(again).toMatchObject({ action: 'skip' });
    expect(again.reason).toMatch(/rolled back by run rb; generation 3 stays published/);
    // A rollback stopped between its status record and its aliases: finished, not undone.
    const moved = { state: 'generation', generation: 5 } as const;
    const interrupted = decide({ ...input, fingerprint: 'b'.repeat(64), status: rolledBack, published: moved });
    expect(interrupted).toMatchObject({ action: 'ingest', switchTo: 3 });
    expect(decide({ ...input, fingerprint: 'b'.repeat(64), force: true, status: rolledBack }).action).toBe('ingest');
    expect(decide({ ...input, fingerprint: 'c'.repeat(64), status: rolledBack }).action).toBe('ingest');
  });
});
