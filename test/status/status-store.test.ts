import { describe } from 'vitest';
import { MemoryStatusStore } from '../support/memory-status-store.ts';
import { statusStoreContract } from '../support/store-contract.ts';

describe('MemoryStatusStore (the contract the orchestrator unit tests rely on)', () => {
  statusStoreContract(async () => new MemoryStatusStore());
});
