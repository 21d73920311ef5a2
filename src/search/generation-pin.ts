/**
 * Which generation a request reads. `init` publishes a generation by writing the status record
 * first and then switching the aliases (`Skill`, `Occupation`, …) one at a time, so a reader of
 * the aliases can, for a few milliseconds, see `Skill` in the new generation and `Occupation` in
 * the old. The service instead reads the status record's `generation` and queries that
 * generation's own collections (`Skill_g7`, …) for the whole request: one release per answer,
 * never an unfinished one (the record names a generation only once it is verified).
 */
import { generationName } from '../generations/names.ts';
import type { DatasetStatus } from '../status/status-store.ts';
import { failureKind } from '../weaviate/failure.ts';

export interface Pin {
  /** The published generation; null: the plain names (data from before generations, or `ingest`). */
  readonly generation: number | null;
  /** The start of the published dataset's fingerprint; null when the status names none. */
  readonly fingerprint: string | null;
  /** The status record the pin was read from; null when there is none. */
  readonly status: DatasetStatus | null;
  /** The collection that holds a published name's data for this pin: `Skill_g7`, or `Skill`. */
  collection(name: string): string;
}

export interface PinOptions {
  /** How long a read status is used before it is read again. Default 1000 ms. */
  maxAgeMs?: number;
  /** Monotonic milliseconds (src/clock.ts); tests stop it. */
  now?: () => number;
}

/** What `GenerationPin.run` answered with, and from which pin. */
export interface Pinned<T> {
  pin: Pin;
  result: T;
}

export class GenerationPin {
  readonly #read: () => Promise<DatasetStatus | null>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #cached: { pin: Pin; at: number } | undefined;
  #inflight: Promise<Pin> | undefined;

  /** `read` reads the dataset's status record (e.g. `WeaviateStatusStore.readStatus('esco')`). */
  constructor(read: () => Promise<DatasetStatus | null>, options: PinOptions = {}) {
    this.#read = read;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The pin for a request: the last one read if it is recent enough, else one read now. */
  current(): Promise<Pin> {
    const cached = this.#cached;
    if (cached && this.#now() - cached.at < this.#maxAgeMs) return Promise.resolve(cached.pin);
    return this.#readOnce();
  }

  /**
   * A pin read after this call: a read already under way began before it, so it is waited out and
   * one more begins (which concurrent callers share).
   */
  async refresh(): Promise<Pin> {
    const earlier = this.#inflight;
    if (earlier) await earlier.catch(() => undefined);
    return this.#readOnce();
  }

  /**
   * Runs `query` on the current pin. When a collection it names is gone (a generation dropped
   * after a newer one was published), the status is read again and, if it names another
   * generation, the query runs once more on that one.
   */
  async run<T>(query: (pin: Pin) => Promise<T>): Promise<Pinned<T>> {
    const pin = await this.current();
    try {
      return { pin, result: await query(pin) };
    } catch (error) {
      if (!isCollectionGone(error)) throw error;
      const fresh = await this.refresh();
      if (fresh.generation === pin.generation) throw error;
      return { pin: fresh, result: await query(fresh) };
    }
  }

  /** One read for all callers while it is under way (a burst of requests reads the status once). */
  #readOnce(): Promise<Pin> {
    if (this.#inflight) return this.#inflight;
    const at = this.#now();
    const reading = this.#readStatus().then((status) => {
      const pin = pinOf(status);
      this.#cached = { pin, at };
      return pin;
    });
    const done = () => {
      if (this.#inflight === reading) this.#inflight = undefined;
    };
    // Registered before any caller's, so it runs first: a refresh that waited on this read and
    // resumes after it finds none under way and starts its own.
    reading.then(done, done);
    this.#inflight = reading;
    return reading;
  }

  /** The reader's promise; a reader that throws instead of rejecting rejects it too. */
  #readStatus(): Promise<DatasetStatus | null> {
    try {
      return this.#read();
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

export function pinOf(status: DatasetStatus | null): Pin {
  const generation = status?.generation ?? null;
  const record = status?.generations.find((g) => g.id === generation);
  const fingerprint = record?.fingerprint ?? status?.fingerprint ?? null;
  return {
    generation,
    fingerprint: fingerprint ? fingerprint.slice(0, 12) : null,
    status,
    collection: (name) => (generation === null ? name : generationName(name, generation)),
  };
}

/**
 * Weaviate's answer for a collection that does not exist (checked on 1.38): gRPC queries and
 * aggregations say the collection is missing; the schema endpoint answers 404.
 */
export function isCollectionGone(error: unknown): boolean {
  const kind = failureKind(error);
  return kind === 'not-found' || kind === 'collection-missing';
}
