/**
 * Placeholders written while the dataset is still being read. Into a generation nobody reads yet,
 * a concept can be created as soon as its row has passed validation, so the objects pass overlaps
 * the reading and validation of the later files (relations take most of the read). A bad row
 * later on fails the read, and the unfinished generation is never published. Only into a fresh
 * generation: a resumed one may hold whole objects that a placeholder would overwrite.
 */
import { type WriteObject, writeFailed, writeObjects } from '../weaviate/batch-writer.ts';
import { type IngestContext, physicalName } from './context.ts';
import { placeholderOf, writeOptions } from './write.ts';

export type NodeListener = (collection: string, id: string, uri: string) => void;

export class PlaceholderStream {
  readonly #ctx: IngestContext;
  /** Resolves once the generation's collections exist. */
  readonly #ready: Promise<unknown>;
  readonly #buffers = new Map<string, WriteObject[]>();
  /** Writes run one flush after the other, each with the context's concurrency. */
  #tail: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Ids written, by collection. */
  readonly #written = new Map<string, Set<string>>();

  constructor(ctx: IngestContext, ready: Promise<unknown>) {
    this.#ctx = ctx;
    this.#ready = ready;
  }

  readonly add: NodeListener = (collection, id, uri) => {
    if (this.#stopped) return;
    let buffer = this.#buffers.get(collection);
    if (!buffer) {
      buffer = [];
      this.#buffers.set(collection, buffer);
    }
    buffer.push(placeholderOf({ id, uri }));
    if (buffer.length >= this.#ctx.batchSize * this.#ctx.concurrency) this.#flush(collection);
  };

  /** Writes what is left; resolves with the ids written per collection, or rejects with the first failure. */
  async finish(): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    for (const collection of [...this.#buffers.keys()]) this.#flush(collection);
    await this.#tail;
    return this.#written;
  }

  /** The read failed: write nothing more, and let the writes in flight end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#buffers.clear();
    await this.#tail.catch(() => {});
  }

  #flush(collection: string): void {
    const objects = this.#buffers.get(collection) ?? [];
    this.#buffers.delete(collection);
    if (objects.length === 0) return;
    this.#tail = this.#tail.then(() => this.#write(collection, objects));
    this.#tail.catch(() => {}); // surfaced by finish()
  }

  async #write(collection: string, objects: WriteObject[]): Promise<void> {
    await this.#ready;
    if (this.#stopped) return;
    const ctx = this.#ctx;
    const target = { collection: physicalName(ctx, collection), referenceTargets: {} };
    const result = await writeObjects(ctx.rest, target, objects, writeOptions(ctx));
    if (result.failures.length > 0) throw writeFailed(`objects pass (${collection}, while reading)`, result.failures);
    let written = this.#written.get(collection);
    if (!written) {
      written = new Set();
      this.#written.set(collection, written);
    }
    for (const o of objects) written.add(o.id);
  }
}
