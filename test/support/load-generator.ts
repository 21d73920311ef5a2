/**
 * A bounded load for "readers under an upgrade": requests started at a fixed rate, at most
 * `concurrency` in flight (a tick that finds them all busy is counted as dropped, never queued),
 * every response or error recorded with when it started and ended. The rate shapes the load; the
 * tests wait on what the responses say (`waitFor`), never on elapsed time.
 */

export interface Sampled<T> {
  index: number;
  startedAt: number;
  endedAt: number;
  /** What `request` resolved with; absent when it threw. */
  result?: T;
  error?: string;
}

export interface LoadOptions<T> {
  ratePerSecond: number;
  concurrency: number;
  /** One request; `index` counts from 0 (e.g. to rotate through kinds of query). */
  request: (index: number) => Promise<T>;
}

export interface Load<T> {
  /** Every request that has ended, in the order they ended. */
  readonly samples: readonly Sampled<T>[];
  /** Ticks that found `concurrency` requests in flight. */
  readonly dropped: number;
  /**
   * Resolves with the first sample (already recorded or still to come) that matches; rejects once
   * the load has stopped without one.
   */
  waitFor(match: (sample: Sampled<T>) => boolean): Promise<Sampled<T>>;
  /** Stops starting requests, waits for those in flight, and returns every sample. */
  stop(): Promise<Sampled<T>[]>;
}

export function startLoad<T>(options: LoadOptions<T>): Load<T> {
  const samples: Sampled<T>[] = [];
  const inFlight = new Set<Promise<void>>();
  const waiters: { match: (s: Sampled<T>) => boolean; resolve: (s: Sampled<T>) => void; reject: (e: Error) => void }[] =
    [];
  let dropped = 0;
  let next = 0;
  let stopped = false;

  const record = (sample: Sampled<T>) => {
    samples.push(sample);
    for (const w of waiters.filter((w) => w.match(sample))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(sample);
    }
  };
  const fire = () => {
    if (inFlight.size >= options.concurrency) {
      dropped++;
      return;
    }
    const index = next++;
    const startedAt = Date.now();
    const done = options.request(index).then(
      (result) => record({ index, startedAt, endedAt: Date.now(), result }),
      (error: unknown) => record({ index, startedAt, endedAt: Date.now(), error: String(error) }),
    );
    const tracked = done.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const timer = setInterval(fire, 1000 / options.ratePerSecond);
  fire();

  return {
    samples,
    get dropped() {
      return dropped;
    },
    waitFor(match) {
      const seen = samples.find(match);
      if (seen) return Promise.resolve(seen);
      if (stopped) return Promise.reject(new Error('the load has stopped'));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
      for (const w of waiters.splice(0)) w.reject(new Error('the load stopped before a matching response'));
      return [...samples];
    },
  };
}
