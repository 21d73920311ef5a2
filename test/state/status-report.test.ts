/**
 * What `esco-init status` reads and shows (src/state/status-report.ts), over the in-memory
 * stores: the state, the lease as observed now, the last runs, and the text a person reads.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { readStatusReport, renderStatusReport, StatusReportSchema } from '../../src/state/status-report.ts';
import { notStarted } from '../../src/state/status-store.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat, runRecord } from './store-contract.ts';

function world() {
  const statuses = new MemoryStatusStore();
  const leases = new MemoryLeaseStore();
  const sources = {
    statuses,
    leases,
    weaviateUrl: 'http://weaviate:8080',
    lock: { ttlSeconds: 30, heartbeatSeconds: 5, waitTimeoutSeconds: 600 },
    log: silentLogger(),
  };
  return { statuses, leases, sources };
}

describe('readStatusReport', () => {
  it('reports a Weaviate nobody ingested into: not_started, no lease, no runs', async () => {
    const { sources } = world();
    const report = await readStatusReport(sources, 5);
    expect(StatusReportSchema.parse(report)).toEqual({
      datasetKey: 'esco',
      weaviate: 'http://weaviate:8080',
      state: 'not_started',
      status: null,
      lease: { epoch: 0, condition: 'none', holder: null, releasedReason: null, heartbeat: null, progress: null },
      runs: [],
    });
    const text = renderStatusReport(report);
    expect(text).toBe(
      'ESCO in Weaviate http://weaviate:8080: not_started\n  lease        never taken\n  last runs    none\n',
    );
  });

  it('reports a held lease with its holder, heartbeat and progress, and the newest runs first', async () => {
    const { statuses, leases, sources } = world();
    await statuses.writeStatus({ ...notStarted('esco', '0.1.0'), state: 'in_progress', runId: 'r3', epoch: 2 });
    for (const id of ['r1', 'r2', 'r3']) await statuses.writeRun(runRecord(id));
    await leases.createTicket(2);
    const progress = { pass: 'objects' as const, collection: 'Skill', done: 40, total: 100 };
    await leases.writeHeartbeat(heartbeat(2, { runId: 'r3', counter: 7, progress }));
    const report = await readStatusReport(sources, 2);
    expect(report.state).toBe('in_progress');
    expect(report.lease).toMatchObject({
      epoch: 2,
      condition: 'held',
      holder: { runId: 'r3', host: 'host', pid: 42 },
      heartbeat: { counter: 7, beatAt: '2026-01-01T00:00:00.000Z' },
      progress,
    });
    expect(report.runs.map((r) => r.runId)).toEqual(['r3', 'r2']);
    const text = renderStatusReport(StatusReportSchema.parse(report));
    expect(text).toContain('  lease        epoch 2, held by run r3 on host (pid 42), heartbeat #7, last beat');
    expect(text).toContain('  progress     objects Skill 40/100');
    expect(text).toMatch(/ {4}r3 {2}running {5}2026-01-01T00:00:00.000Z {2}running {2}host pid 1\n/);
  });

  it('reports a released lease with the reason, and the failed state with its error and resumable passes', async () => {
    const { statuses, leases, sources } = world();
    const error = { code: 'WRITE_FAILED', message: 'batch failed' };
    const resume = { fingerprint: 'f', schemaVersion: 's', passes: ['objects'], generation: 2 };
    await statuses.writeStatus({ ...notStarted('esco', '0.1.0'), state: 'failed', error, resume });
    await leases.createTicket(1);
    await leases.writeHeartbeat(heartbeat(1, { state: 'released', releasedReason: 'failed' }));
    const report = await readStatusReport(sources, 5);
    expect(report.lease).toMatchObject({ epoch: 1, condition: 'released', releasedReason: 'failed' });
    const text = renderStatusReport(report);
    expect(text).toContain('ESCO in Weaviate http://weaviate:8080: failed');
    expect(text).toContain('  error        WRITE_FAILED: batch failed');
    expect(text).toContain('  resumable    objects');
    expect(text).toContain('  lease        epoch 1, released (failed) by run run-1 on host (pid 42)\n');
  });
});
