import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EscoInitError, isEscoInitError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import {
  readBatchReply,
  requestSize,
  toRestObject,
  writeFailed,
  writeObjects,
} from '../../src/weaviate/batch-writer.ts';
import { RestStatusError } from '../../src/weaviate/failure.ts';
import { backoffMs, retrying } from '../../src/weaviate/retry.ts';

const log = silentLogger();
const signal = new AbortController().signal;

/** A gRPC UNAVAILABLE as nice-grpc's ClientError carries it: the status number in `code`. */
const unavailable = () =>
  Object.defineProperty(
    Object.assign(new Error('14 UNAVAILABLE: connection reset'), { code: 14, details: 'reset' }),
    '@@nice-grpc',
    {
      value: true,
    },
  );

describe('retrying', () => {
  it('retries transient failures with backoff, then succeeds', async () => {
    let calls = 0;
    const result = await retrying({ log, signal, maxAttempts: 4 }, 'write', async () => {
      if (++calls < 3) throw unavailable();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with WRITE_FAILED, and at once on a permanent error', async () => {
    let calls = 0;
    const transient = await retrying({ log, signal, maxAttempts: 2 }, 'write 5 Skill objects', async () => {
      calls++;
      throw new RestStatusError('POST batch/objects: HTTP 503 Service Unavailable', 503, '');
    }).catch((e: unknown) => e);
    expect(isEscoInitError(transient, 'WRITE_FAILED')).toBe(true);
    expect((transient as Error).message).toContain(
      'write 5 Skill objects failed after 2 attempt(s): POST batch/objects: HTTP 503',
    );
    expect(calls).toBe(2);
    calls = 0;
    const permanent = await retrying({ log, signal, maxAttempts: 5 }, 'write', async () => {
      calls++;
      throw new RestStatusError('x', 422, JSON.stringify({ error: [{ message: 'class Skill does not exist' }] }));
    }).catch((e: unknown) => e);
    expect(isEscoInitError(permanent, 'WRITE_FAILED')).toBe(true);
    expect(calls).toBe(1);
  });

  it('waits with equal jitter: between half and all of the doubling ceiling, capped at 8 s', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(1)).toBeGreaterThanOrEqual(125);
      expect(backoffMs(1)).toBeLessThanOrEqual(250);
      expect(backoffMs(4)).toBeGreaterThanOrEqual(1000);
      expect(backoffMs(4)).toBeLessThanOrEqual(2000);
      expect(backoffMs(10)).toBeGreaterThanOrEqual(4000);
      expect(backoffMs(10)).toBeLessThanOrEqual(8000);
    }
  });
});

type Answer = { status: number; body: string } | 'drop';
const succeeded = (ids: readonly string[], refused: ReadonlySet<string> = new Set()) => ({
  status: 200,
  body: JSON.stringify(
    ids.map((id) => ({
      id,
      result: refused.has(id)
        ? { errors: { error: [{ message: `vectorize ${id}: timeout` }] }, status: 'FAILED' }
        : { status: 'SUCCESS' },
    })),
  ),
});
const unavailable503 = { status: 503, body: '' };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Weaviate's batch endpoint on a real socket, answering the n-th request as told; records the ids each carried. */
async function batchEndpoint(answer: (ids: string[], n: number) => Answer) {
  const sends: string[][] = [];
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const ids = (JSON.parse(text) as { objects: { id: string }[] }).objects.map((o) => o.id);
    sends.push(ids);
    const reply = answer(ids, sends.length);
    if (reply === 'drop') return req.socket.destroy();
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const rest = { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/`, headers: {} };
  return { rest, sends };
}

const target = { collection: 'Skill', referenceTargets: {} };
const three = ['a', 'b', 'c'].map((id) => ({ id, label: `uri-${id}`, json: '{}' }));

/** Writes the three objects as one chunk, counting the checkpoints (one before the chunk, one before each resend). */
async function writeThree(rest: { url: string; headers: Record<string, string> }, checkpoint = async () => {}) {
  let checkpoints = 0;
  const options = {
    batchSize: 10,
    concurrency: 1,
    firstDelayMs: 1,
    signal,
    log,
    checkpoint: async () => {
      checkpoints++;
      await checkpoint();
    },
  };
  const outcome = await writeObjects(rest, target, three, options).catch((e: unknown) => e);
  return { outcome, checkpoints };
}

describe('one retry budget per chunk: at most 5 sends, whatever fails', () => {
  it('sends a chunk 5 times when every send fails transiently, then fails the pass', async () => {
    const { rest, sends } = await batchEndpoint(() => unavailable503);
    const { outcome, checkpoints } = await writeThree(rest);
    expect(isEscoInitError(outcome, 'WRITE_FAILED')).toBe(true);
    expect((outcome as Error).message).toContain(
      'write 3 Skill objects failed after 5 attempt(s): POST batch/objects: HTTP 503',
    );
    expect(sends).toEqual(Array(5).fill(['a', 'b', 'c']));
    expect(checkpoints).toBe(5);
  });

  it('sends a refused object 5 times in all, then reports it by concept URI', async () => {
    const { rest, sends } = await batchEndpoint((ids) => succeeded(ids, new Set(['b'])));
    const { outcome, checkpoints } = await writeThree(rest);
    expect(outcome).toEqual({
      written: 2,
      failures: [{ collection: 'Skill', id: 'b', label: 'uri-b', message: 'vectorize b: timeout' }],
    });
    expect(sends).toEqual([['a', 'b', 'c'], ['b'], ['b'], ['b'], ['b']]);
    expect(checkpoints).toBe(5);
  });

  it('spends one budget on failed requests and refused objects alike', async () => {
    const answers: ((ids: string[]) => Answer)[] = [
      () => unavailable503,
      (ids) => succeeded(ids, new Set(['b', 'c'])),
      () => 'drop',
      (ids) => succeeded(ids, new Set(['c'])),
      (ids) => succeeded(ids, new Set(['c'])),
    ];
    const { rest, sends } = await batchEndpoint((ids, n) => answers[n - 1]?.(ids) ?? succeeded(ids));
    const { outcome } = await writeThree(rest);
    expect(outcome).toEqual({
      written: 2,
      failures: [{ collection: 'Skill', id: 'c', label: 'uri-c', message: 'vectorize c: timeout' }],
    });
    expect(sends).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['b', 'c'], ['b', 'c'], ['c']]);
  });

  it('sends once when Weaviate refuses the request for good, or its reply does not parse', async () => {
    const refused = await batchEndpoint(() => ({ status: 422, body: '{"error":[{"message":"no such class"}]}' }));
    expect(isEscoInitError((await writeThree(refused.rest)).outcome, 'WRITE_FAILED')).toBe(true);
    expect(refused.sends).toHaveLength(1);
    const garbled = await batchEndpoint((ids) => ({ status: 200, body: succeeded(ids).body.slice(0, -5) }));
    const { outcome } = await writeThree(garbled.rest);
    expect(isEscoInitError(outcome, 'WRITE_FAILED')).toBe(true);
    expect((outcome as Error).message).toMatch(/reply to a batch of 3 Skill objects is not JSON/);
    expect(garbled.sends).toHaveLength(1);
  });

  it('never resends once the checkpoint refuses (the lease was lost during the backoff)', async () => {
    const { rest, sends } = await batchEndpoint(() => unavailable503);
    let calls = 0;
    const { outcome } = await writeThree(rest, async () => {
      if (++calls > 1) throw new EscoInitError('LOCK_LOST', 'lease taken over');
    });
    expect(isEscoInitError(outcome, 'LOCK_LOST')).toBe(true);
    expect(sends).toHaveLength(1);
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
    const ids = ['a', 'b'];
    const objects = ids.map((i) => ({ id: i, label: `uri-${i}`, json: '{}' }));
    const ok = (i: string, extra = '') =>
      `{"id":"${i}","properties":{"a":${JSON.stringify(extra)}},"result":{"status":"SUCCESS"}}`;
    const failed = (i: string) => `{"id":"${i}","result":{"errors":{"error":[{"message":"bad"}]},"status":"FAILED"}}`;
    const read = (text: string, sent = objects) => readBatchReply(text, sent, 'Skill');
    expect(read(`[${ok('a')},${ok('b')}]`)).toEqual({ errors: {}, hasErrors: false });
    expect(read(`[${ok('a')},${failed('b')}]`)).toEqual({ errors: { 1: { message: 'bad' } }, hasErrors: true });
    // The status text inside a value is only a value: the object's own result decides.
    expect(read(`[${ok('a', '"result":{"status":"SUCCESS"}')},${failed('b')}]`).hasErrors).toBe(true);
    // An entry that says neither SUCCESS nor why is its object's failure, never a success.
    expect(read(`[${ok('a')},{"id":"b","result":{}}]`).errors[1]?.message).toMatch(/no outcome/);
    expect(read(`[${ok('a')},{"id":"b"}]`).hasErrors).toBe(true);
    expect(read('[]', [])).toEqual({ errors: {}, hasErrors: false });
  });

  it('refuses a reply that does not parse or does not answer for every object sent', () => {
    const objects = ['a', 'b'].map((i) => ({ id: i, label: `uri-${i}`, json: '{}' }));
    const ok = (i: string) => `{"id":"${i}","result":{"status":"SUCCESS"}}`;
    for (const [reply, why] of [
      [`[${ok('a')}]`, /has 1 results/],
      [`[${ok('a')},${ok('b')}`, /is not JSON/],
      ['', /is not JSON/],
      ['{"error":[{"message":"x"}]}', /is not an array/],
      [`[${ok('b')},${ok('a')}]`, /names b where a was sent/],
    ] as const) {
      let thrown: unknown;
      try {
        readBatchReply(reply, objects, 'Skill');
      } catch (error) {
        thrown = error;
      }
      expect(isEscoInitError(thrown, 'WRITE_FAILED'), reply).toBe(true);
      expect((thrown as Error).message).toMatch(why);
    }
  });
});
