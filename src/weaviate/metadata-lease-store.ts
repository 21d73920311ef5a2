/**
 * The LeaseStore (src/lease/lease-store.ts) in Weaviate.
 *
 * The ticket of epoch N is the alias `EscoInitLease_N`: creating an alias goes through Raft and a
 * second create of the same name fails (422, "alias already exists"), so exactly one process can
 * own an epoch. (Creating an object with an explicit id is NOT atomic in Weaviate; a collection would
 * work too, but costs ~170 ms and a shard on disk, an alias ~5 ms and nothing.) Tickets outlive
 * the Metadata collection they point at, which keeps epochs monotonic even across a schema reset.
 *
 * The heartbeat of epoch N is a Metadata record (kind `lock`) that only its holder writes.
 */
import type { WeaviateClient } from 'weaviate-client';
import { EscoInitError } from '../errors.ts';
import { type Heartbeat, HeartbeatSchema, type LeaseStore } from '../lease/lease-store.ts';
import { failureKind, isTransient } from './failure.ts';
import { METADATA_COLLECTION, MetadataDocs } from './metadata-docs.ts';

export const DEFAULT_LEASE_NAME = 'EscoInitLease';

export class WeaviateLeaseStore implements LeaseStore {
  readonly #client: WeaviateClient;
  readonly #docs: MetadataDocs;
  readonly #name: string;
  readonly #pattern: RegExp;

  /** The Metadata collection must exist: tickets are aliases of it. */
  constructor(client: WeaviateClient, name = DEFAULT_LEASE_NAME) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new EscoInitError('INTERNAL', `invalid lease name "${name}"`);
    this.#client = client;
    this.#docs = new MetadataDocs(client);
    this.#name = name;
    this.#pattern = new RegExp(`^${name}_(\\d+)$`);
  }

  #ticket(epoch: number): string {
    return `${this.#name}_${epoch}`;
  }

  async createTicket(epoch: number): Promise<boolean> {
    try {
      await this.#client.alias.create({ alias: this.#ticket(epoch), collection: METADATA_COLLECTION });
      return true;
    } catch (error) {
      if (failureKind(error) === 'already-exists') return false;
      throw error;
    }
  }

  async listTickets(): Promise<number[]> {
    // Called before every batch. One retry covers a keep-alive connection the server closed while
    // this process was paused (undici fails the first use after waking up: UND_ERR_SOCKET).
    const list = () => this.#client.alias.listAll();
    const aliases =
      (await list().catch((error: unknown) => (isTransient(error) ? list() : Promise.reject(error)))) ?? [];
    return aliases.flatMap((a) => {
      const match = this.#pattern.exec(a.alias);
      return match?.[1] ? [Number(match[1])] : [];
    });
  }

  async deleteTicket(epoch: number): Promise<void> {
    try {
      await this.#client.alias.delete(this.#ticket(epoch));
    } catch (error) {
      if (failureKind(error) !== 'not-found') throw error;
    }
  }

  async readHeartbeat(epoch: number): Promise<Heartbeat | null> {
    const doc = await this.#docs.read('lock', this.#ticket(epoch));
    if (!doc) return null;
    const parsed = HeartbeatSchema.safeParse(doc.data);
    if (!parsed.success) {
      throw new EscoInitError('INTERNAL', `the heartbeat of ${this.#ticket(epoch)} in Metadata is malformed`, {
        details: parsed.error.issues,
      });
    }
    return parsed.data;
  }

  async writeHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await this.#docs.write('lock', this.#ticket(heartbeat.epoch), heartbeat.state, heartbeat);
  }

  async deleteHeartbeat(epoch: number): Promise<void> {
    await this.#docs.delete('lock', this.#ticket(epoch));
  }
}
