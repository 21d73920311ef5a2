/**
 * Prometheus metrics of one process (`esco-init serve`, and the runs it starts), on a registry of
 * its own: never prom-client's global one, so that every instance (and every test) starts empty.
 *
 * Events of this process are counted as they happen (runs, objects written, inference errors,
 * request latency). What the Metadata collection says (lease, published generation) is read at
 * scrape time through injected readers, so the gauges are true while another process (an init
 * container, the CLI) holds the lease.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Observation } from '../lease/lock.ts';
import type { DatasetStatus, RunRecord, RunState } from '../status/status-store.ts';

/** What the lease gauges need from `Lock.observe()`. */
export type LeaseView = Pick<Observation, 'epoch' | 'heartbeat' | 'condition'>;

export interface MetadataReaders {
  /** `() => lock.observe()` on one Lock kept across scrapes: it needs them to call a silent holder stale. */
  lease(): Promise<LeaseView>;
  status(): Promise<DatasetStatus | null>;
}

export interface MetricsOptions {
  /** Without readers the lease and dataset gauges have no samples. */
  readers?: MetadataReaders;
  /** Wall-clock milliseconds, to age the holder's `beatAt` (itself wall-clock time of its host). */
  now?: () => number;
  /** Process metrics (CPU, memory, event loop, GC); default on. */
  processMetrics?: boolean;
}

export type InferenceSource = 'search' | 'ingest';

const PREFIX = 'esco_';
/** The end states of a run this process can reach. */
const OUTCOMES: readonly RunState[] = ['ingested', 'skipped', 'waited', 'failed', 'interrupted', 'gave_up'];
/** An ingestion takes seconds (a small dataset) to most of an hour (full ESCO on a slow vectorizer). */
const INGEST_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 2700, 3600];
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  readonly #readers: MetadataReaders | undefined;
  readonly #now: () => number;
  readonly #runs = this.#counter('runs_total', 'Runs this process ran, by the state they ended in', 'outcome');
  readonly #ingestSeconds = new Histogram({
    name: `${PREFIX}ingest_duration_seconds`,
    help: 'Duration of the runs of this process that ingested and published a generation',
    buckets: INGEST_BUCKETS,
    registers: [this.registry],
  });
  readonly #objects = this.#counter(
    'objects_written_total',
    'Objects created or changed by the runs of this process, by collection (references not counted)',
    'collection',
  );
  readonly #inferenceErrors = this.#counter(
    'inference_errors_total',
    'Failed calls to the inference service, by who made them',
    'source',
  );
  readonly #requests = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to answer HTTP requests, by route pattern and status code',
    labelNames: ['route', 'status'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly #readErrors = this.#counter(
    'metadata_read_errors_total',
    'Scrapes that could not read the lease or the status record (their gauges are left out)',
    'reader',
  );
  readonly #epoch = this.#gauge('lease_epoch', 'The highest lease epoch (0: the lease was never taken)');
  readonly #heartbeatAge = this.#gauge(
    'lease_heartbeat_age_seconds',
    "Seconds since the lease holder's last heartbeat, by its host's clock (absent when nobody holds it)",
  );
  readonly #held = this.#gauge('lease_held', '1 while a holder beats the lease, 0 when it is free, released or stale');
  readonly #generation = this.#gauge('published_generation', 'The published generation (absent before the first)');
  readonly #completed = this.#gauge('dataset_completed', '1 when the status record says the dataset is completed');

  constructor(options: MetricsOptions = {}) {
    this.#readers = options.readers;
    this.#now = options.now ?? Date.now;
    // Label values known in advance are exposed at 0: rates and alerts need no `or vector(0)`.
    for (const outcome of OUTCOMES) this.#runs.inc({ outcome }, 0);
    for (const source of ['search', 'ingest']) this.#inferenceErrors.inc({ source }, 0);
    for (const reader of ['lease', 'status']) this.#readErrors.inc({ reader }, 0);
    this.#clearLease();
    this.#clearStatus();
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  #counter<L extends string>(name: string, help: string, label: L): Counter<L> {
    return new Counter({ name: `${PREFIX}${name}`, help, labelNames: [label], registers: [this.registry] });
  }

  #gauge(name: string, help: string): Gauge {
    return new Gauge({ name: `${PREFIX}${name}`, help, registers: [this.registry] });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A run of this process reached its end state. */
  runEnded(run: RunRecord): void {
    this.#runs.inc({ outcome: run.state });
    if (run.state === 'ingested' && run.ms !== null) this.#ingestSeconds.observe(run.ms / 1000);
    for (const [collection, objects] of writtenObjects(run)) this.#objects.inc({ collection }, objects);
    // The engine retries inference failures; a run that still failed on them counts once.
    if (run.error?.code === 'INFERENCE_UNAVAILABLE') this.inferenceError('ingest');
  }

  inferenceError(source: InferenceSource): void {
    this.#inferenceErrors.inc({ source });
  }

  /** `route` is the route's pattern (`/skills/:id`), never the URL: labels must stay few. */
  observeRequest(route: string, status: number, seconds: number): void {
    this.#requests.observe({ route, status: String(status) }, seconds);
  }

  /** The text exposition, with the lease and dataset gauges read now. */
  async render(): Promise<string> {
    await this.#collect();
    return this.registry.metrics();
  }

  /**
   * A failing reader counts a read error and leaves its gauges out (no sample is better than a
   * stale one); the scrape itself still succeeds. Nothing is logged here: the failure is in the
   * counter, and the caller's log sees Weaviate's state elsewhere.
   */
  async #collect(): Promise<void> {
    if (!this.#readers) return;
    const [lease, status] = await Promise.allSettled([this.#readers.lease(), this.#readers.status()]);
    if (lease.status === 'fulfilled') this.#setLease(lease.value);
    else {
      this.#readErrors.inc({ reader: 'lease' });
      this.#clearLease();
    }
    if (status.status === 'fulfilled') this.#setStatus(status.value);
    else {
      this.#readErrors.inc({ reader: 'status' });
      this.#clearStatus();
    }
  }

  #setLease({ epoch, heartbeat, condition }: LeaseView): void {
    this.#epoch.set(epoch);
    this.#held.set(condition === 'live' ? 1 : 0);
    // A stale holder still ages: that is what the gauge is for. Hosts' clocks may differ a little;
    // a holder "ahead" of us reads as 0, not as a negative age.
    if (heartbeat?.state === 'held' && (condition === 'live' || condition === 'stale')) {
      const age = (this.#now() - Date.parse(heartbeat.beatAt)) / 1000;
      if (Number.isFinite(age)) this.#heartbeatAge.set(Math.max(0, age));
      else this.#heartbeatAge.remove();
    } else this.#heartbeatAge.remove();
  }

  #setStatus(status: DatasetStatus | null): void {
    this.#completed.set(status?.state === 'completed' ? 1 : 0);
    if (status?.generation != null) this.#generation.set(status.generation);
    else this.#generation.remove();
  }

  #clearLease(): void {
    for (const g of [this.#epoch, this.#held, this.#heartbeatAge]) g.remove();
  }

  #clearStatus(): void {
    for (const g of [this.#generation, this.#completed]) g.remove();
  }
}

/**
 * Objects a run wrote, per collection, from its objects pass's counts `<Collection>.added` and
 * `<Collection>.updated`: each such object is written (a placeholder, then whole by the references
 * pass) and counted once. Unchanged objects, references and deletions are not counted, nor the
 * aggregate `written`. Counted only once the references pass is done, when every one of them has
 * been written whole; a run whose objects pass was resumed has no per-collection counts of its own
 * (the earlier run found the work) and adds nothing.
 */
export function writtenObjects(run: RunRecord): Map<string, number> {
  const written = new Map<string, number>();
  const objects = run.passes.find((p) => p.name === 'objects');
  const references = run.passes.find((p) => p.name === 'references');
  if (objects?.status !== 'done' || references?.status !== 'done' || !objects.counts) return written;
  for (const [key, value] of Object.entries(objects.counts)) {
    const match = /^(.+)\.(added|updated)$/.exec(key);
    if (!match?.[1]) continue;
    written.set(match[1], (written.get(match[1]) ?? 0) + value);
  }
  return written;
}
