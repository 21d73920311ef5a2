/**
 * Named one-shot signals: `wait(name)` resolves once `open(name)` ran, rejects after `fail`.
 * The references pass opens a collection once it is written; its verification waits for that.
 */
import { observed } from './observed.ts';

export class Gate {
  #waiting = new Map<string, PromiseWithResolvers<void>>();
  #failed: { error: unknown } | undefined;

  #entry(name: string): PromiseWithResolvers<void> {
    let entry = this.#waiting.get(name);
    if (!entry) {
      entry = Promise.withResolvers<void>();
      // Rejected only by `fail(error)`, whose caller surfaces that error itself; a name nobody waits for is moot.
      observed(entry.promise);
      if (this.#failed) entry.reject(this.#failed.error);
      this.#waiting.set(name, entry);
    }
    return entry;
  }

  wait(name: string): Promise<void> {
    return this.#entry(name).promise;
  }

  open(name: string): void {
    this.#entry(name).resolve();
  }

  fail(error: unknown): void {
    this.#failed = { error };
    for (const entry of this.#waiting.values()) entry.reject(error);
  }
}
