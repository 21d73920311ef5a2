import { describe, expect, it } from 'vitest';
import { decide } from '../../src/orchestration/decision.ts';
import { type DatasetStatus, notStarted } from '../../src/state/status-store.ts';

const FP = 'f'.repeat(64);
const SCHEMA = 'schema-1';

function status(change: Partial<DatasetStatus>): DatasetStatus {
  return { ...notStarted('esco', '0.1.0'), fingerprint: FP, schemaVersion: SCHEMA, runId: 'r1', epoch: 3, ...change };
}

const input = { fingerprint: FP, schemaVersion: SCHEMA, force: false, startEpoch: 0 };

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
    const resume = { fingerprint: FP, schemaVersion: SCHEMA, passes: ['objects'] };
    const failed = status({ state: 'failed', error: { code: 'WRITE_FAILED', message: 'x' }, resume });
    expect(decide({ ...input, status: failed })).toMatchObject({ action: 'ingest', resume: ['objects'] });
    expect(decide({ ...input, status: failed }).reason).toMatch(/last run failed \(WRITE_FAILED\)/);
    const other = status({ state: 'failed', resume: { ...resume, fingerprint: 'b'.repeat(64) } });
    expect(decide({ ...input, status: other })).toMatchObject({ resume: [] });
    expect(decide({ ...input, force: true, status: failed })).toMatchObject({ resume: [] });
  });
});
