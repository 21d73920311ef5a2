import { describe, expect, it, vi } from 'vitest';
import type { IngestContext } from '../../src/ingest/context.ts';
import { ingestionPasses } from '../../src/ingest/passes.ts';
import type { Logger } from '../../src/log.ts';
import type { SchemaDefinitions } from '../../src/weaviate/schema.ts';

/** The read pass of passes whose schema work fails with `schemaError` and whose plan fails with `readError`. */
function failingRead(schemaError: Error, readError: Error, signal = new AbortController().signal) {
  const warn = vi.fn();
  const log = { warn, info: vi.fn(), debug: vi.fn() } as unknown as Logger;
  const ctx = { log, signal, guard: () => Promise.reject(schemaError) } as unknown as IngestContext;
  const { passes } = ingestionPasses({
    plan: () => Promise.reject(readError),
    definitions: {} as SchemaDefinitions,
    ctx,
  });
  const read = passes.find((p) => p.name === 'read');
  if (!read) throw new Error('no read pass');
  return { run: read.run, warn };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ingestionPasses: work started beside the read pass', () => {
  it('logs the schema failure that no later pass will surface when the read fails first', async () => {
    const schemaError = new Error('Weaviate refused the schema');
    const { run, warn } = failingRead(schemaError, new Error('bad row'));
    await expect(run()).rejects.toThrow('bad row');
    await settled();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith({ err: schemaError }, 'ensuring the schema failed too, beside the read pass');
  });

  it('does not log the same error twice, nor failures after a signal', async () => {
    const same = new Error('Weaviate went away');
    const once = failingRead(same, same);
    await expect(once.run()).rejects.toBe(same);
    const aborted = new AbortController();
    aborted.abort('SIGTERM');
    const interrupted = failingRead(new Error('aborted'), new Error('interrupted'), aborted.signal);
    await expect(interrupted.run()).rejects.toThrow('interrupted');
    await settled();
    expect(once.warn).not.toHaveBeenCalled();
    expect(interrupted.warn).not.toHaveBeenCalled();
  });
});
