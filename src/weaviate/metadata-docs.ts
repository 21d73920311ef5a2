/**
 * Documents in the `Metadata` collection (resources/schemas/metadata.yaml): one object per
 * (kind, key), with a deterministic id so that every writer of the same record hits the same
 * object. Writes are upserts (replace, or create when missing; last write wins): callers make
 * sure only one process writes a given record (the lease holder, or the run's own process).
 * Not `insertMany`: weaviate-client 3.14 polls for a batch's result every 500 ms, so a one-object
 * batch took half a second, and a run writes dozens of records (heartbeats, manifests, status).
 */
import { generateUuid5, type WeaviateClient } from 'weaviate-client';
import { sleep } from '../clock.ts';
import { EscoInitError } from '../errors.ts';
import { failureKind, statusOf } from './failure.ts';

export const METADATA_COLLECTION = 'Metadata';
const ID_NAMESPACE = 'esco-init/metadata';

export type DocKind = 'status' | 'run' | 'lock';

export interface MetaDoc {
  kind: DocKind;
  key: string;
  state: string;
  data: unknown;
  updatedAt: Date;
}

type MetaProperties = {
  kind: string;
  key: string;
  state: string;
  json: string;
  updatedAt: Date;
};

export function docId(kind: DocKind, key: string): string {
  return generateUuid5(`${kind}:${key}`, ID_NAMESPACE);
}

export class MetadataDocs {
  readonly #client: WeaviateClient;

  constructor(client: WeaviateClient) {
    this.#client = client;
  }

  #collection() {
    return this.#client.collections.use<string, MetaProperties>(METADATA_COLLECTION);
  }

  /** Null when the record, or the whole Metadata collection, does not exist yet. */
  async read(kind: DocKind, key: string): Promise<MetaDoc | null> {
    try {
      const found = await this.#collection().query.fetchObjectById(docId(kind, key));
      return found ? toDoc(found.properties) : null;
    } catch (error) {
      if (isMissingCollection(error)) return null;
      throw error;
    }
  }

  /**
   * Retries briefly while the collection's index is still loading (it was just created), and when
   * a create met a record created a moment before (the next attempt replaces it).
   */
  async write(kind: DocKind, key: string, state: string, data: unknown): Promise<void> {
    const properties: MetaProperties = { kind, key, state, json: JSON.stringify(data), updatedAt: new Date() };
    for (let attempt = 1; ; attempt++) {
      const refused = await this.#upsert(docId(kind, key), properties);
      if (refused === null) return;
      const refusal = failureKind(refused);
      if (attempt >= 20 || !(refusal === 'index-loading' || refusal === 'already-exists')) {
        throw new EscoInitError(
          'WRITE_FAILED',
          `could not write the ${kind} record "${key}" to ${METADATA_COLLECTION}: ${refused.message}`,
          { cause: refused },
        );
      }
      await sleep(100);
    }
  }

  /** null when written, else Weaviate's refusal (an answer with an HTTP status); transport failures throw. */
  async #upsert(id: string, properties: MetaProperties): Promise<Error | null> {
    const data = this.#collection().data;
    try {
      await data.replace({ id, properties });
      return null;
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined) throw error;
      if (status !== 404) return error as Error;
    }
    try {
      await data.insert({ id, properties });
      return null;
    } catch (error) {
      if (statusOf(error) === undefined) throw error;
      return error as Error;
    }
  }

  async delete(kind: DocKind, key: string): Promise<void> {
    await this.#collection().data.deleteById(docId(kind, key));
  }

  /** The newest `limit` records of a kind, newest first. */
  async list(kind: DocKind, limit: number): Promise<MetaDoc[]> {
    try {
      const collection = this.#collection();
      const result = await collection.query.fetchObjects({
        filters: collection.filter.byProperty('kind').equal(kind),
        sort: collection.sort.byProperty('updatedAt', false),
        limit,
      });
      return result.objects.map((o) => toDoc(o.properties));
    } catch (error) {
      if (isMissingCollection(error)) return [];
      throw error;
    }
  }
}

function toDoc(p: Partial<MetaProperties>): MetaDoc {
  let data: unknown;
  try {
    data = JSON.parse(p.json ?? 'null');
  } catch (cause) {
    throw new EscoInitError('INTERNAL', `the ${p.kind} record "${p.key}" in ${METADATA_COLLECTION} is not valid JSON`, {
      cause,
    });
  }
  return {
    kind: p.kind as DocKind,
    key: p.key ?? '',
    state: p.state ?? '',
    data,
    updatedAt: p.updatedAt instanceof Date ? p.updatedAt : new Date(p.updatedAt ?? 0),
  };
}

/**
 * A query on a collection that does not exist, or that was created a moment ago by another
 * process and whose index this node has not loaded yet (both seen on 1.38): either way, empty.
 * Weaviate says so only in its message (gRPC status UNKNOWN; HTTP 500 or 422 for a write), which
 * failure.ts reads. The queries here name Metadata only, so the collection is Metadata.
 */
function isMissingCollection(error: unknown): boolean {
  const kind = failureKind(error);
  return kind === 'collection-missing' || kind === 'index-loading';
}
