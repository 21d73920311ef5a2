import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSaturation } from '../../src/http/saturation.ts';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function app(limits: Parameters<typeof registerSaturation>[1]) {
  const app = Fastify();
  apps.push(app);
  registerSaturation(app, limits, 7);
  app.get('/x', async () => ({ ok: true }));
  return app;
}

describe('registerSaturation', () => {
  it('answers 503 saturated with Retry-After once the process is past a limit', async () => {
    // A heap limit of one byte: saturated from the first measurement on, whatever the machine.
    const saturated = app({ maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1, sampleIntervalMs: 5 });
    await saturated.ready();
    let reply = await saturated.inject('/x');
    while (reply.statusCode === 200) {
      await new Promise((resolve) => setTimeout(resolve, 5)); // until the first measurement
      reply = await saturated.inject('/x');
    }
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('7');
    expect(reply.json()).toMatchObject({ error: 'saturated', retryAfterSeconds: 7 });
    expect(reply.json().message).toMatch(/^the service is saturated \(heapUsedBytes \d+\); try again in 7 s$/);
  });

  it('answers normally under its limits, and registers nothing with limit 0', async () => {
    const relaxed = app({ maxEventLoopDelayMs: 60_000 });
    expect((await relaxed.inject('/x')).statusCode).toBe(200);
    expect(relaxed.hasDecorator('isUnderPressure')).toBe(true);
    const off = app({ maxEventLoopDelayMs: 0 });
    expect((await off.inject('/x')).statusCode).toBe(200);
    expect(off.hasDecorator('isUnderPressure')).toBe(false);
  });
});
