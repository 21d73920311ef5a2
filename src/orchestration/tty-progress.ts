/**
 * A one-line progress indicator for terminals: log lines go through `stream`, which clears the
 * indicator before each line and draws it again after, so the two never garble each other.
 */
import { Writable } from 'node:stream';
import type { Progress } from '../lease/lease-store.ts';

export class TtyProgress {
  readonly stream: Writable & { isTTY: boolean };
  readonly #target: NodeJS.WritableStream;
  #line = '';
  #shown = false;
  /** Never drawn: the first update draws, even in a process younger than the throttle's 100 ms. */
  #drawnAt = Number.NEGATIVE_INFINITY;

  constructor(target: NodeJS.WritableStream) {
    this.#target = target;
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.#erase();
        this.#target.write(chunk);
        this.#draw();
        callback();
      },
    });
    this.stream = Object.assign(stream, { isTTY: true });
  }

  update(p: Progress): void {
    const percent = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
    this.#line = `  ${p.pass} ${p.collection} ${p.done}/${p.total}${percent}`;
    if (performance.now() - this.#drawnAt < 100 && p.done < p.total) return;
    this.#erase();
    this.#draw();
  }

  /** Removes the indicator for good (before the process prints its last words). */
  done(): void {
    this.#erase();
    this.#line = '';
  }

  #draw(): void {
    if (!this.#line) return;
    this.#target.write(this.#line);
    this.#shown = true;
    this.#drawnAt = performance.now();
  }

  #erase(): void {
    if (this.#shown) this.#target.write('\r\x1b[K');
    this.#shown = false;
  }
}
