import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { gateHandler, WeaviateGate } from '../../src/http/weaviate-gate.ts';
import { FakeClock } from '../support/fake-clock.ts';

function probeOf(answers: (string | null)[]) {
  const probe = async () => {
    probe.calls += 1;
    return answers.shift() ?? null;
  };
  probe.calls = 0;
  return probe;
}

describe('WeaviateGate', () => {
  it('probes once per TTL, and concurrent callers share the probe', async () => {
    const clock = new FakeClock();
    const probe = probeOf(['Weaviate is not reachable', null]);
    const gate = new WeaviateGate(probe, { ttlMs: 1000, clock });
    expect(await Promise.all([gate.problem(), gate.problem(), gate.problem()])).toEqual([
      'Weaviate is not reachable',
      'Weaviate is not reachable',
      'Weaviate is not reachable',
    ]);
    expect(probe.calls).toBe(1);
    await clock.advance(999);
    expect(await gate.problem()).toBe('Weaviate is not reachable');
    await clock.advance(1);
    expect(await gate.problem()).toBeNull();
    expect(probe.calls).toBe(2);
  });

  it('guard runs the read while Weaviate is up, and throws without it while down', async () => {
    const clock = new FakeClock();
    const gate = new WeaviateGate(probeOf(['down', null]), { clock });
    let reads = 0;
    const read = async () => ++reads;
    await expect(gate.guard(read)).rejects.toThrow('down');
    expect(reads).toBe(0);
    await clock.advance(1000);
    expect(await gate.guard(read)).toBe(1);
  });

  it('its preHandler answers 503 with Retry-After while down, and lets requests through when up', async () => {
    const clock = new FakeClock();
    const gate = new WeaviateGate(probeOf(['Weaviate is not reachable at http://w:8080/v1/', null]), { clock });
    const app = Fastify();
    app.get('/x', { preHandler: gateHandler(gate, 7) }, async () => ({ ok: true }));
    const down = await app.inject('/x');
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('7');
    expect(down.json()).toEqual({
      error: 'upstream_unavailable',
      message: 'Weaviate is not reachable at http://w:8080/v1/',
      retryAfterSeconds: 7,
    });
    await clock.advance(1000);
    const up = await app.inject('/x');
    expect(up.statusCode).toBe(200);
  });
});
