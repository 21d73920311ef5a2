import { describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { forEachChunk, writeFailed } from '../../src/weaviate/batch-writer.ts';
import { isTransient, retrying } from '../../src/weaviate/retry.ts';

const log = silentLogger();
const signal = new AbortController().signal;

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

describe('retrying', () => {
  it('retries transient failures with backoff, then succeeds', async () => {
    let calls = 0;
    const result = await retrying({ log, signal, maxAttempts: 4 }, 'write', async () => {
      if (++calls < 3) throw new Error('14 UNAVAILABLE: connection reset');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with WRITE_FAILED, and at once on a permanent error', async () => {
    let calls = 0;
    const transient = await retrying({ log, signal, maxAttempts: 2 }, 'write 5 Skill objects', async () => {
      calls++;
      throw new Error('503 Service Unavailable');
    }).catch((e: unknown) => e);
    expect(isEscoInitError(transient, 'WRITE_FAILED')).toBe(true);
    expect((transient as Error).message).toContain('write 5 Skill objects failed after 2 attempt(s): 503');
    expect(calls).toBe(2);
    calls = 0;
    const permanent = await retrying({ log, signal, maxAttempts: 5 }, 'write', async () => {
      calls++;
      throw new Error('class Skill does not exist');
    }).catch((e: unknown) => e);
    expect(isEscoInitError(permanent, 'WRITE_FAILED')).toBe(true);
    expect(calls).toBe(1);
  });
});

describe('isTransient', () => {
  it.each([
    ['14 UNAVAILABLE: No connection established', true],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded', true],
    ['The request to Weaviate failed with status code: 429', true],
    ['read ECONNRESET', true],
    ['invalid date property "modifiedDate"', false],
    ['no such prop with name "x" found in class "Skill"', false],
  ])('%s → %s', (message, expected) => {
    expect(isTransient(message)).toBe(expected);
  });
});

describe('writeFailed', () => {
  it('names the failed objects and keeps all of them in details', () => {
    const failures = Array.from({ length: 12 }, (_, i) => ({
      collection: 'Skill',
      id: `id-${i}`,
      label: `uri-${i}`,
      message: 'bad',
    }));
    const error = writeFailed('objects pass (Skill)', failures);
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toContain('12 object(s) were not written: Skill uri-0 (id-0): bad');
    expect(error.message).toContain('…and 2 more');
    expect((error.details as { failures: unknown[] }).failures).toHaveLength(12);
  });
});
