/**
 * The Weaviate lease and status stores against a real server: the same contracts as the
 * in-memory stores, plus what only the real server can show (atomic alias creation under a race,
 * a missing Metadata collection, the lock's takeover on a real store). The lock's clock is a fake
 * one: a real 800 ms TTL was a margin that one slow request on a busy machine outlasted (the new
 * holder fenced itself before it could hold). Expiry on real clocks between real processes:
 * test/scripts/init-v111.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { Lock } from '../../src/lease/lock.ts';
import { silentLogger } from '../../src/log.ts';
import { METADATA_COLLECTION } from '../../src/weaviate/metadata-docs.ts';
import { WeaviateLeaseStore } from '../../src/weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { ensureSchema, loadSchemas } from '../../src/weaviate/schema.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { leaseStoreContract, statusStoreContract } from '../support/store-contract.ts';
import { useWeaviate } from '../support/weaviate.ts';

const weaviate = useWeaviate();
let leaseNames = 0;

async function resetMetadata(): Promise<void> {
  const client = await weaviate().client();
  await client.collections.delete(METADATA_COLLECTION);
  const definitions = loadSchemas({ vectorizer: 'none' });
  const collections = definitions.collections.filter((c) => c.name === METADATA_COLLECTION);
  await ensureSchema(client, { ...definitions, collections }, silentLogger());
}

describe('WeaviateLeaseStore', () => {
  leaseStoreContract(async () => {
    await resetMetadata();
    // Tickets are aliases: they outlive the collection, so every test gets its own lease name.
    return new WeaviateLeaseStore(await weaviate().client(), `TestLease${++leaseNames}`);
  });

  it('hands the lease to exactly one of several processes racing on a real server, then fails over', async () => {
    await resetMetadata();
    const client = await weaviate().client();
    const store = new WeaviateLeaseStore(client, `RaceLease${++leaseNames}`);
    const clock = new FakeClock();
    const ttlMs = 4_000;
    const locks = Array.from(
      { length: 6 },
      (_, i) =>
        new Lock(store, {
          ttlMs,
          heartbeatMs: 1_000,
          owner: { runId: `p${i}`, host: 'h', pid: i },
          log: silentLogger(),
          clock,
        }),
    );
    const first = await Promise.all(locks.map((l) => l.tryAcquire()));
    const holders = first.filter((r) => r.lease);
    expect(holders).toHaveLength(1);
    const old = holders[0]?.lease;
    // The holder never beats again (as if killed): after the TTL, exactly one waiter takes over.
    const waiters = locks.filter((_, i) => !first[i]?.lease);
    await Promise.all(waiters.map((l) => l.tryAcquire()));
    await clock.advance(ttlMs);
    const second = await Promise.all(waiters.map((l) => l.tryAcquire()));
    expect(second.filter((r) => r.lease).map((r) => r.lease?.epoch)).toEqual([2]);
    const error = await old?.guard().catch((e: unknown) => e);
    expect(isEscoInitError(error, 'LOCK_LOST')).toBe(true);
    expect(await store.listTickets()).toEqual([2]);
  });
});

describe('WeaviateStatusStore', () => {
  statusStoreContract(async () => {
    await resetMetadata();
    return new WeaviateStatusStore(await weaviate().client());
  });

  it('reads "nothing yet" when the Metadata collection does not exist', async () => {
    const client = await weaviate().client();
    await client.collections.delete(METADATA_COLLECTION);
    const store = new WeaviateStatusStore(client);
    expect(await store.readStatus('esco')).toBeNull();
    expect(await store.listRuns('esco', 5)).toEqual([]);
  });
});
