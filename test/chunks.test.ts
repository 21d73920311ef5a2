import { describe, expect, it } from 'vitest';
import { forEachChunk } from '../src/chunks.ts';

describe('forEachChunk', () => {
  it('covers every item once, in chunks of the batch size, at most `concurrency` at a time', async () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const seen: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let checkpoints = 0;
    await forEachChunk(
      items,
      { batchSize: 5, concurrency: 3, checkpoint: async () => void checkpoints++ },
      async (chunk) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        seen.push([...chunk]);
        inFlight--;
      },
    );
    expect(seen.flat().sort((a, b) => a - b)).toEqual(items);
    expect(seen.map((c) => c.length).sort()).toEqual([3, 5, 5, 5, 5]);
    expect(maxInFlight).toBe(3);
    expect(checkpoints).toBe(5); // before every batch
  });

  it('stops taking new chunks after a failure and rethrows it', async () => {
    const started: number[] = [];
    const error = await forEachChunk(
      Array.from({ length: 50 }, (_, i) => i),
      { batchSize: 5, concurrency: 2, checkpoint: async () => {} },
      async (chunk) => {
        started.push(chunk[0] ?? -1);
        if (chunk[0] === 10) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 2));
      },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    expect(started.length).toBeLessThan(10);
  });

  it('with `weigh`, keeps each chunk under `maxBytes`; an item bigger than that goes alone', async () => {
    const maxBytes = 1000;
    const quarter = maxBytes / 4;
    const sizes = [quarter, quarter, quarter, quarter, quarter, 3 * maxBytes, 1, 1];
    const chunks: number[][] = [];
    const options = {
      batchSize: 100,
      concurrency: 1,
      checkpoint: async () => {},
      weigh: (i: number) => sizes[i] ?? 0,
      maxBytes,
    };
    await forEachChunk([...sizes.keys()], options, async (chunk) => void chunks.push([...chunk]));
    expect(chunks).toEqual([[0, 1, 2, 3], [4], [5], [6, 7]]);
  });

  it('stops before the first batch when the checkpoint throws', async () => {
    let ran = 0;
    const error = await forEachChunk(
      [1, 2, 3],
      {
        batchSize: 1,
        concurrency: 1,
        checkpoint: async () => {
          throw new Error('fenced');
        },
      },
      async () => void ran++,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('fenced');
    expect(ran).toBe(0);
  });
});
