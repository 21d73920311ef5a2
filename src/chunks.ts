export interface ChunkOptions<T> {
  batchSize: number;
  concurrency: number;
  /** Called before each chunk: the fencing check of the lease holder. */
  checkpoint: () => Promise<void>;
  weigh?: (item: T) => number;
  maxBytes?: number;
}

/**
 * Splits into chunks of at most `batchSize` items (and, with `weigh`, at most `maxBytes` in
 * all) and runs `concurrency` of them at a time; a failure stops new chunks.
 */
export async function forEachChunk<T>(
  items: readonly T[],
  options: ChunkOptions<T>,
  run: (chunk: readonly T[]) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const { batchSize, weigh, maxBytes = Number.POSITIVE_INFINITY } = options;
  /** End of the chunk starting at `start`: the first item always fits, however big. */
  const endOf = (start: number) => {
    if (!weigh) return start + batchSize;
    let end = start;
    for (let bytes = 0; end < items.length && end - start < batchSize; end++) {
      bytes += weigh(items[end] as T);
      if (bytes > maxBytes && end > start) break;
    }
    return end;
  };
  const worker = async () => {
    while (!failed && next < items.length) {
      const start = next;
      next = endOf(start);
      const end = next;
      try {
        await options.checkpoint();
        await run(items.slice(start, end));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, options.concurrency) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}
