import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useWeaviate } from '../support/weaviate.ts';

const weaviate = useWeaviate();

describe('a real Weaviate from the harness', () => {
  it('is the pinned version, ready, and reachable over REST and gRPC', async () => {
    const pinned = readFileSync(new URL('../../resources/weaviate-version', import.meta.url), 'utf8').trim();
    const server = weaviate();
    console.info(`integration tests run against Weaviate v${server.version} (${server.source})`);
    if (server.source !== 'url') expect(server.version).toBe(pinned);
    const client = await server.client();
    expect(await client.isReady()).toBe(true);
    // A gRPC round trip: create, write, count, drop a scratch collection.
    const name = `HarnessProbe${Date.now()}`;
    await client.collections.create({ name, properties: [{ name: 'label', dataType: 'text' }] });
    try {
      const result = await client.collections.use(name).data.insertMany([{ label: 'a' }, { label: 'b' }]);
      expect(result.hasErrors).toBe(false);
      const total = await client.collections.use(name).aggregate.overAll();
      expect(total.totalCount).toBe(2);
    } finally {
      await client.collections.delete(name);
    }
  });
});
