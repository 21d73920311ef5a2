/**
 * In-memory LeaseStore with the same contract as the Weaviate one (atomic ticket creation), for
 * unit tests of the lock logic. `failNext` injects a store failure to test error paths.
 */
import type { Heartbeat, LeaseStore } from '../../src/lease/lease-store.ts';

export class MemoryLeaseStore implements LeaseStore {
  readonly tickets = new Set<number>();
  readonly heartbeats = new Map<number, Heartbeat>();
  /** Every heartbeat write, in order: lets tests check who wrote what. */
  readonly writes: Heartbeat[] = [];
  #failures: Error[] = [];

  failNext(error: Error): void {
    this.#failures.push(error);
  }

  #maybeFail(): void {
    const failure = this.#failures.shift();
    if (failure) throw failure;
  }

  async createTicket(epoch: number): Promise<boolean> {
    this.#maybeFail();
    if (this.tickets.has(epoch)) return false;
    this.tickets.add(epoch);
    return true;
  }

  async listTickets(): Promise<number[]> {
    this.#maybeFail();
    return [...this.tickets];
  }

  async deleteTicket(epoch: number): Promise<void> {
    this.#maybeFail();
    this.tickets.delete(epoch);
  }

  async readHeartbeat(epoch: number): Promise<Heartbeat | null> {
    this.#maybeFail();
    const found = this.heartbeats.get(epoch);
    return found ? structuredClone(found) : null;
  }

  async writeHeartbeat(heartbeat: Heartbeat): Promise<void> {
    this.#maybeFail();
    this.heartbeats.set(heartbeat.epoch, structuredClone(heartbeat));
    this.writes.push(structuredClone(heartbeat));
  }

  async deleteHeartbeat(epoch: number): Promise<void> {
    this.#maybeFail();
    this.heartbeats.delete(epoch);
  }
}
