/**
 * What `esco-init status` reads and shows (src/commands/status-report.ts), over the in-memory
 * stores: the state, the lease as observed now, the last runs, and the text a person reads.
 */
import { describe, expect, it } from 'vitest';
import { readStatusReport, renderStatusReport, StatusReportSchema } from '../../src/commands/status-report.ts';
import { silentLogger } from '../../src/log.ts';
import { notStarted } from '../../src/status/status-store.ts';
import { MemoryGenerationStore } from '../support/memory-generation-store.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { heartbeat, runRecord } from '../support/store-contract.ts';

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
      generations: [],
      aliases: null,
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

  it('lists the generations: published, being built, previous; where the aliases point; the rollback', async () => {
    const { statuses, sources } = world();
    const generations = new MemoryGenerationStore();
    const g = (id: number, fingerprint: string, completedAt: string | null) => ({
      id,
      fingerprint,
      schemaVersion: 's1',
      runId: `run-${id}`,
      createdAt: `2026-01-0${id}T00:00:00.000Z`,
      completedAt,
      counts: completedAt ? { Skill: 10 * id, objects: 100 * id, references: 1000 * id } : null,
    });
    const rollback = {
      from: 2,
      fingerprint: 'b'.repeat(64),
      schemaVersion: 's1',
      runId: 'rb-1',
      at: '2026-01-04T00:00:00.000Z',
    };
    await statuses.writeStatus({
      ...notStarted('esco', '0.1.0'),
      state: 'in_progress',
      runId: 'run-3',
      resume: { fingerprint: 'c'.repeat(64), schemaVersion: 's1', passes: ['read'], generation: 3 },
      generation: 1,
      generations: [
        g(1, 'a'.repeat(64), '2026-01-01T00:10:00.000Z'),
        g(2, 'b'.repeat(64), '2026-01-02T00:10:00.000Z'),
        g(3, 'c'.repeat(64), null),
      ],
      rollback,
    });
    for (const id of [1, 2, 3]) generations.create(id);
    await generations.publish(2);
    const report = StatusReportSchema.parse(await readStatusReport({ ...sources, generations }, 5));
    expect(report.generations.map((r) => [r.id, r.published, r.building])).toEqual([
      [1, true, false],
      [2, false, false],
      [3, false, true],
    ]);
    expect(report.aliases).toEqual({ state: 'generation', generation: 2 });
    expect(report.status?.rollback).toEqual(rollback);
    const text = renderStatusReport(report);
    expect(text).toContain(
      [
        '  generations  g1    published  dataset aaaaaaaaaaaa, created 2026-01-01T00:00:00.000Z, completed 2026-01-01T00:10:00.000Z, 100 objects, 1000 references',
        '               g2    previous   dataset bbbbbbbbbbbb, created 2026-01-02T00:00:00.000Z, completed 2026-01-02T00:10:00.000Z, 200 objects, 2000 references',
        '               g3    building   dataset cccccccccccc, created 2026-01-03T00:00:00.000Z',
        '  aliases      generation 2 (the status record names generation 1)',
        '  rollback     from generation 2 (dataset bbbbbbbbbbbb, schema s1) by run rb-1 at 2026-01-04T00:00:00.000Z',
      ].join('\n'),
    );
  });

  it('says nothing of the aliases when they point at the published generation', async () => {
    const { statuses, sources } = world();
    const generations = new MemoryGenerationStore();
    generations.create(4);
    await generations.publish(4);
    await statuses.writeStatus({ ...notStarted('esco', '0.1.0'), state: 'completed', generation: 4 });
    const text = renderStatusReport(await readStatusReport({ ...sources, generations }, 5));
    expect(text).not.toContain('aliases');
    expect(text).not.toContain('rollback');
  });
});
