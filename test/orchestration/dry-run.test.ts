import { describe, expect, it } from 'vitest';
import { Lock } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { type DryRunDeps, planInit } from '../../src/orchestration/dry-run.ts';
import { notStarted } from '../../src/status/status-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryGenerationStore } from '../support/memory-generation-store.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';

function setup() {
  const clock = new FakeClock();
  const leases = new MemoryLeaseStore();
  const status = new MemoryStatusStore();
  const lockFor = (runId: string) =>
    new Lock(leases, {
      ttlMs: 4_000,
      heartbeatMs: 1_000,
      owner: { runId, host: 'h', pid: 1 },
      log: silentLogger(),
      clock,
    });
  const deps: DryRunDeps = {
    datasetKey: 'esco',
    fingerprint: 'f'.repeat(64),
    schemaVersion: 's1',
    force: false,
    statusStore: status,
    generations: new MemoryGenerationStore(),
    lock: lockFor('dry'),
  };
  return { leases, status, lockFor, deps };
}

describe('init --dry-run', () => {
  it('says ingest when nothing is there and nobody holds the lease, and writes nothing', async () => {
    const { deps, leases, status } = setup();
    expect(await planInit(deps)).toMatchObject({ action: 'ingest', why: 'nothing ingested yet', resume: [] });
    expect(leases.tickets.size + leases.writes.length + status.statusWrites.length + status.runs.size).toBe(0);
  });

  it('says wait when a live holder has the lease, naming it', async () => {
    const { deps, lockFor } = setup();
    await lockFor('busy').tryAcquire();
    const plan = await planInit(deps);
    expect(plan.action).toBe('wait');
    expect(plan.why).toMatch(/nothing ingested yet, but run busy on h \(pid 1\) holds the lease \(epoch 1\)/);
  });

  it('says skip for complete data, and lists what a failed run left to resume', async () => {
    const { deps, status } = setup();
    const base = { ...notStarted('esco', '0'), fingerprint: 'f'.repeat(64), schemaVersion: 's1' };
    await status.writeStatus({ ...base, state: 'completed' });
    expect((await planInit(deps)).action).toBe('skip');
    const resume = { fingerprint: 'f'.repeat(64), schemaVersion: 's1', passes: ['objects'], generation: 2 };
    await status.writeStatus({ ...base, state: 'failed', resume });
    expect(await planInit(deps)).toMatchObject({ action: 'ingest', resume: ['objects'] });
  });
});
