import { describe, expect, it } from 'vitest';
import { type LeaseView, type MetadataReaders, Metrics, writtenObjects } from '../../src/metrics/metrics.ts';
import { type DatasetStatus, notStarted, type PassRecord, type RunRecord } from '../../src/status/status-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { lockFor, TTL } from '../support/test-lock.ts';
import { sample, samples } from './exposition.ts';

function pass(name: string, status: PassRecord['status'], counts: PassRecord['counts'] = null): PassRecord {
  return { name, status, startedAt: null, endedAt: null, ms: null, counts, note: null, error: null };
}

function run(state: RunRecord['state'], ms: number | null, passes: PassRecord[] = []): RunRecord {
  return {
    runId: `run-${state}`,
    datasetKey: 'esco',
    host: 'h',
    pid: 1,
    toolVersion: '0.1.0',
    state,
    decision: 'ingest: the dataset changed',
    force: false,
    fingerprint: 'f',
    schemaVersion: 's',
    epochs: [1],
    startedAt: new Date(0).toISOString(),
    endedAt: null,
    ms,
    passes,
    resumed: [],
    // Verified totals of the published data: not what this run wrote, so never counted.
    counts: { Skill: 13_939, objects: 16_979, references: 250_000 },
    error: null,
    events: [],
    trigger: null,
  };
}

const objectsPass = pass('objects', 'done', {
  written: 5,
  'Skill.added': 3,
  'Skill.updated': 1,
  'Skill.unchanged': 10,
  'Occupation.added': 2,
  'Occupation.updated': 0,
  'Occupation.unchanged': 7,
});
const referencesPass = pass('references', 'done', { written: 6, references: 40, deleted: 1, carried: 0 });

function completed(generation: number): DatasetStatus {
  return { ...notStarted('esco', '0.1.0'), state: 'completed', generation };
}

describe('Metrics: events of this process', () => {
  it('counts runs by outcome, ingest durations and objects written', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const before = await metrics.render();
    for (const outcome of ['ingested', 'skipped', 'waited', 'failed', 'interrupted', 'gave_up'])
      expect(sample(before, `esco_runs_total{outcome="${outcome}"}`)).toBe(0);

    metrics.runEnded(run('ingested', 90_000, [pass('read', 'done'), objectsPass, referencesPass]));
    metrics.runEnded(run('skipped', 40));
    metrics.runEnded(run('failed', 2_000, [objectsPass, pass('references', 'failed')]));
    const text = await metrics.render();

    expect(sample(text, 'esco_runs_total{outcome="ingested"}')).toBe(1);
    expect(sample(text, 'esco_runs_total{outcome="skipped"}')).toBe(1);
    expect(sample(text, 'esco_runs_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'esco_runs_total{outcome="waited"}')).toBe(0);
    // Only the ingested run is timed: 90 s falls in the 120 s bucket, not the 60 s one.
    expect(sample(text, 'esco_ingest_duration_seconds_bucket{le="60"}')).toBe(0);
    expect(sample(text, 'esco_ingest_duration_seconds_bucket{le="120"}')).toBe(1);
    expect(sample(text, 'esco_ingest_duration_seconds_bucket{le="3600"}')).toBe(1);
    expect(sample(text, 'esco_ingest_duration_seconds_sum')).toBe(90);
    expect(sample(text, 'esco_ingest_duration_seconds_count')).toBe(1);
    // added + updated of the ingested run; the failed run's references pass never wrote them whole.
    expect(samples(text, 'esco_objects_written_total')).toEqual([
      'esco_objects_written_total{collection="Skill"} 4',
      'esco_objects_written_total{collection="Occupation"} 2',
    ]);
  });

  it('counts no objects for a run whose objects pass was resumed', () => {
    const resumed = run('ingested', 1_000, [pass('objects', 'resumed'), referencesPass]);
    expect(writtenObjects(resumed).size).toBe(0);
  });

  it('counts inference errors by source', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.inferenceError('search');
    metrics.inferenceError('search');
    const text = await metrics.render();
    expect(sample(text, 'esco_inference_errors_total{source="search"}')).toBe(2);
    expect(sample(text, 'esco_inference_errors_total{source="ingest"}')).toBe(0);
    // A run that failed on the inference service counts one; another failure does not.
    const stalled = { ...run('failed', 1_000), error: { code: 'INFERENCE_UNAVAILABLE', message: 'stalled' } };
    metrics.runEnded(stalled);
    metrics.runEnded({ ...run('failed', 1_000), error: { code: 'WRITE_FAILED', message: 'HTTP 500' } });
    expect(sample(await metrics.render(), 'esco_inference_errors_total{source="ingest"}')).toBe(1);
  });

  it('puts request durations in buckets by route and status', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeRequest('/skills/:id', 200, 0.03);
    metrics.observeRequest('/skills/:id', 200, 0.3);
    metrics.observeRequest('/skills/:id', 404, 0.001);
    const text = await metrics.render();
    const ok = (le: string) =>
      sample(text, `esco_http_request_duration_seconds_bucket{le="${le}",route="/skills/:id",status="200"}`);
    expect([ok('0.025'), ok('0.05'), ok('0.25'), ok('0.5'), ok('+Inf')]).toEqual([0, 1, 1, 2, 2]);
    expect(sample(text, 'esco_http_request_duration_seconds_count{route="/skills/:id",status="404"}')).toBe(1);
    expect(sample(text, 'esco_http_request_duration_seconds_sum{route="/skills/:id",status="200"}')).toBeCloseTo(0.33);
  });

  it('exposes process metrics with the esco_ prefix, each instance on its own registry', async () => {
    const one = new Metrics();
    const two = new Metrics();
    one.inferenceError('ingest');
    const text = await one.render();
    // CPU is counted from the instance's creation: it may still read 0, but it is there.
    expect(sample(text, 'esco_process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'esco_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(await two.render(), 'esco_inference_errors_total{source="ingest"}')).toBe(0);
    expect(one.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});

describe('Metrics: lease and dataset gauges read at scrape', () => {
  function setup() {
    const leases = new MemoryLeaseStore();
    const statuses = new MemoryStatusStore();
    const clock = new FakeClock();
    const observer = lockFor(leases, clock, 'serve');
    let wall = 0;
    const readers: MetadataReaders = { lease: () => observer.observe(), status: () => statuses.readStatus('esco') };
    const metrics = new Metrics({ readers, now: () => wall, processMetrics: false });
    const setWall = (ms: number) => {
      wall = ms;
    };
    return { leases, statuses, clock, metrics, setWall };
  }

  it('reports no lease and no dataset before anything ran', async () => {
    const { metrics } = setup();
    const text = await metrics.render();
    expect(sample(text, 'esco_lease_epoch')).toBe(0);
    expect(sample(text, 'esco_lease_held')).toBe(0);
    expect(samples(text, 'esco_lease_heartbeat_age_seconds')).toEqual([]);
    expect(sample(text, 'esco_dataset_completed')).toBe(0);
    expect(samples(text, 'esco_published_generation')).toEqual([]);
  });

  it("reports another process's held lease, its heartbeat age, then its release", async () => {
    const { leases, statuses, clock, metrics, setWall } = setup();
    const acquired = await lockFor(leases, clock, 'init').tryAcquire();
    const lease = acquired.lease;
    if (!lease) throw new Error('expected the lease');
    const beatAt = Date.parse(leases.heartbeats.get(lease.epoch)?.beatAt ?? '');
    setWall(beatAt + 42_500);
    await statuses.writeStatus(completed(7));

    const held = await metrics.render();
    expect(sample(held, 'esco_lease_epoch')).toBe(1);
    expect(sample(held, 'esco_lease_held')).toBe(1);
    expect(sample(held, 'esco_lease_heartbeat_age_seconds')).toBe(42.5);
    expect(sample(held, 'esco_published_generation')).toBe(7);
    expect(sample(held, 'esco_dataset_completed')).toBe(1);

    await lease.release('completed');
    const released = await metrics.render();
    expect(sample(released, 'esco_lease_epoch')).toBe(1);
    expect(sample(released, 'esco_lease_held')).toBe(0);
    expect(samples(released, 'esco_lease_heartbeat_age_seconds')).toEqual([]);
  });

  it('calls a silent holder not held once it is stale, and keeps ageing its heartbeat', async () => {
    const { leases, clock, metrics, setWall } = setup();
    await lockFor(leases, clock, 'init').tryAcquire(); // never beats again: a killed holder
    const beatAt = Date.parse(leases.heartbeats.get(1)?.beatAt ?? '');
    setWall(beatAt + 1_000);
    expect(sample(await metrics.render(), 'esco_lease_held')).toBe(1);
    await clock.advance(TTL);
    setWall(beatAt + 1_000 + TTL);
    const stale = await metrics.render();
    expect(sample(stale, 'esco_lease_held')).toBe(0);
    expect(sample(stale, 'esco_lease_heartbeat_age_seconds')).toBe(5);
  });

  it('counts failing readers and leaves their gauges out', async () => {
    const leases = new MemoryLeaseStore();
    const broken: MetadataReaders = {
      lease: () => lockFor(leases, new FakeClock(), 'serve').observe(),
      status: () => Promise.reject(new Error('Weaviate is down')),
    };
    leases.failNext(new Error('Weaviate is down'));
    const failing = new Metrics({ readers: broken, processMetrics: false });
    const text = await failing.render();
    expect(sample(text, 'esco_metadata_read_errors_total{reader="lease"}')).toBe(1);
    expect(sample(text, 'esco_metadata_read_errors_total{reader="status"}')).toBe(1);
    for (const gauge of ['esco_lease_epoch', 'esco_lease_held', 'esco_published_generation', 'esco_dataset_completed'])
      expect(samples(text, gauge)).toEqual([]);
  });

  it('drops gauges it read before when their reader starts failing', async () => {
    let lease: () => Promise<LeaseView> = async () => ({ epoch: 4, heartbeat: null, condition: 'released' });
    const statuses = new MemoryStatusStore();
    await statuses.writeStatus(completed(4));
    const readers: MetadataReaders = { lease: () => lease(), status: () => statuses.readStatus('esco') };
    const metrics = new Metrics({ readers, processMetrics: false });
    expect(sample(await metrics.render(), 'esco_lease_epoch')).toBe(4);

    lease = () => Promise.reject(new Error('timeout'));
    const text = await metrics.render();
    expect(samples(text, 'esco_lease_epoch')).toEqual([]);
    expect(samples(text, 'esco_lease_held')).toEqual([]);
    expect(sample(text, 'esco_published_generation')).toBe(4);
    expect(sample(text, 'esco_metadata_read_errors_total{reader="lease"}')).toBe(1);
    expect(sample(text, 'esco_metadata_read_errors_total{reader="status"}')).toBe(0);
  });
});
