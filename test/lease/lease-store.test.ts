import { describe } from 'vitest';
import { MemoryLeaseStore } from '../support/memory-lease-store.ts';
import { leaseStoreContract } from '../support/store-contract.ts';

describe('MemoryLeaseStore (the contract the lock unit tests rely on)', () => {
  leaseStoreContract(async () => new MemoryLeaseStore());
});
