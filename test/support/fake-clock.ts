/** A manual monotonic clock for unit tests of time-based logic (lease TTLs, heartbeats, waits). */
import type { Clock } from '../../src/clock.ts';

interface Sleeper {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  #now = 1_000;
  #sleepers: Sleeper[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = { at: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Moves time forward in steps, waking sleepers in order and letting their work settle. */
  async advance(ms: number, step = ms): Promise<void> {
    const end = this.#now + ms;
    while (this.#now < end) {
      this.#now = Math.min(end, this.#now + step);
      const due = this.#sleepers.filter((s) => s.at <= this.#now).sort((a, b) => a.at - b.at);
      this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
      for (const s of due) s.resolve();
      await settle();
    }
  }
}

/** Lets pending promise chains (including in-memory store calls) run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
