import { describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { allSucceeded, requestSize, toRestObject, writeFailed } from '../../src/weaviate/batch-writer.ts';
import { isTransient, retrying } from '../../src/weaviate/retry.ts';

const log = silentLogger();
const signal = new AbortController().signal;

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

describe('the REST batch form', () => {
  const target = { collection: 'Skill', referenceTargets: { essentialForOccupations: 'Occupation' } };
  const id = '00000000-0000-4000-8000-000000000001';
  const occupation = '00000000-0000-4000-8000-000000000002';

  it('merges the prepared properties, the extra ones and the references as beacons', () => {
    const object = {
      id,
      label: 'skill 1',
      json: JSON.stringify({ preferredLabel: 'weld "steel"', altLabels: ['a', 'b'] }),
      properties: { contentHash: 'h1' },
      references: { essentialForOccupations: [occupation] },
    };
    expect(JSON.parse(toRestObject(target, object))).toEqual({
      class: 'Skill',
      id,
      properties: {
        preferredLabel: 'weld "steel"',
        altLabels: ['a', 'b'],
        contentHash: 'h1',
        essentialForOccupations: [{ beacon: `weaviate://localhost/Occupation/${occupation}` }],
      },
    });
    expect(
      JSON.parse(toRestObject(target, { id, label: 'placeholder', json: '{}', properties: { contentHash: 'p' } })),
    ).toEqual({ class: 'Skill', id, properties: { contentHash: 'p' } });
    expect(requestSize(object)).toBeGreaterThan(object.json.length + 36);
  });

  it('refuses a reference property without a target collection', () => {
    const object = { id, label: 'x', json: '{}', references: { broaderSkills: [occupation] } };
    expect(() => toRestObject(target, object)).toThrow(/Skill\.broaderSkills names no target collection/);
  });

  it('reads a reply as all written only when every object says SUCCESS', () => {
    const ok = (extra = '') => `{"id":"x","properties":{"a":"${extra}"},"result":{"status":"SUCCESS"}}`;
    const failed = '{"id":"y","result":{"errors":{"error":[{"message":"bad"}]},"status":"FAILED"}}';
    expect(allSucceeded(`[${ok()},${ok()}]`, 2)).toBe(true);
    expect(allSucceeded(`[${ok()},${failed}]`, 2)).toBe(false);
    expect(allSucceeded(`[${ok()}]`, 2)).toBe(false);
    // The status text inside a value is escaped, so it is never counted.
    const sneaky = JSON.stringify('"result":{"status":"SUCCESS"}').slice(1, -1);
    expect(allSucceeded(`[${ok(sneaky)},${failed}]`, 2)).toBe(false);
    expect(allSucceeded('[]', 0)).toBe(true);
  });
});
