import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureKind, failureOf, isTransient, statusOf } from '../../src/weaviate/failure.ts';
import { restEndpoint, restText } from '../../src/weaviate/rest.ts';
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

describe("Weaviate's refusals, as failure.ts reads them from the real client and server", () => {
  it('reads the status and message of a REST refusal, the gRPC status of a query, their kinds, and none is transient', async () => {
    const server = weaviate();
    const client = await server.client();
    const name = `FailureProbe${Date.now()}`;
    const id = '00000000-0000-4000-8000-000000000001';
    await client.collections.create({ name, properties: [{ name: 'label', dataType: 'text' }] });
    try {
      const alias = { alias: `${name}Alias`, collection: name };
      await client.alias.create(alias);
      const conflict = await client.alias.create(alias).catch((e: unknown) => e);
      expect(failureOf(conflict)).toMatchObject({ status: 422, messages: [expect.stringMatching(/already exists/)] });
      expect(failureKind(conflict)).toBe('already-exists');
      await client.alias.delete(alias.alias);

      const missing = await client.collections
        .use(name)
        .data.replace({ id, properties: { label: 'x' } })
        .catch((e) => e);
      expect(statusOf(missing)).toBe(404);
      expect(failureKind(missing)).toBe('not-found');
      await client.collections.use(name).data.insert({ id, properties: { label: 'x' } });
      const twice = await client.collections
        .use(name)
        .data.insert({ id, properties: { label: 'x' } })
        .catch((e) => e);
      expect(failureKind(twice)).toBe('already-exists');

      const query = await client.collections
        .use(`${name}Nope`)
        .query.fetchObjectById(id)
        .catch((e: unknown) => e);
      expect(failureOf(query)).toMatchObject({
        grpc: 'UNKNOWN',
        messages: [expect.stringMatching(/could not find class/)],
      });
      expect(failureKind(query)).toBe('collection-missing');

      const rest = restEndpoint(server.settings);
      const refused = await restText(rest, 'batch/objects', { method: 'POST', body: '{"objects":[' }).catch((e) => e);
      expect(failureOf(refused)).toMatchObject({ status: 400, messages: [expect.stringMatching(/parsing body/)] });
      expect(failureKind(refused)).toBe('other');

      for (const error of [conflict, missing, twice, query, refused]) expect(isTransient(error)).toBe(false);
    } finally {
      await client.collections.delete(name);
    }
  });
});
