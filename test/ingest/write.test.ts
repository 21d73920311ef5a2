import { describe, expect, it } from 'vitest';
import { EscoInitError, isEscoInitError } from '../../src/errors.ts';
import { throwIfInterrupted } from '../../src/ingest/context.ts';

describe('throwIfInterrupted', () => {
  it('maps the abort reason to the interruption code and passes our own errors through', () => {
    const c = new AbortController();
    expect(() => throwIfInterrupted(c.signal)).not.toThrow();
    c.abort('SIGINT');
    expect(() => throwIfInterrupted(c.signal)).toThrow(expect.objectContaining({ code: 'INTERRUPTED_SIGINT' }));
    const t = new AbortController();
    t.abort('SIGTERM');
    expect(() => throwIfInterrupted(t.signal)).toThrow(expect.objectContaining({ code: 'INTERRUPTED_SIGTERM' }));
    const own = new AbortController();
    own.abort(new EscoInitError('LOCK_LOST', 'lease taken over'));
    let caught: unknown;
    try {
      throwIfInterrupted(own.signal);
    } catch (error) {
      caught = error;
    }
    expect(isEscoInitError(caught, 'LOCK_LOST')).toBe(true);
  });
});
