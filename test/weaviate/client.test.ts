import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { waitForReady } from '../../src/weaviate/client.ts';

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('waitForReady', () => {
  it('gives up after the startup timeout with WEAVIATE_UNREACHABLE naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const started = performance.now();
    const error = await waitForReady({ url, grpcPort: 50051, startupTimeoutSeconds: 0.5 }, silentLogger()).catch(
      (e: unknown) => e,
    );
    expect(isEscoInitError(error, 'WEAVIATE_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toMatch(/not ready within 0.5s/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('stops waiting when aborted', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGTERM'), 100);
    await expect(
      waitForReady({ url, grpcPort: 50051, startupTimeoutSeconds: 30 }, silentLogger(), controller.signal),
    ).rejects.toBe('SIGTERM');
  });
});
