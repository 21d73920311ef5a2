/**
 * Reads a whole collection page by page with Weaviate's cursor (`after` the last id). The client's
 * own `iterator()` asks for 100 objects and keeps one per request; this keeps whole pages.
 */
import type { QueryReference, WeaviateClient, WeaviateObject } from 'weaviate-client';

export interface CursorOptions {
  pageSize?: number;
  returnProperties?: string[];
  /** Reference properties to return, with the target ids only. */
  returnReferences?: string[];
  signal?: AbortSignal;
}

export type StoredObject = WeaviateObject<undefined, undefined>;

export async function* readPages(
  client: WeaviateClient,
  collection: string,
  options: CursorOptions = {},
): AsyncGenerator<StoredObject[]> {
  const handle = client.collections.use(collection);
  const returnReferences = options.returnReferences?.map(
    (link): QueryReference<undefined> => ({ linkOn: link, returnProperties: [] }),
  );
  let after: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const { objects } = await handle.query.fetchObjects({
      limit: options.pageSize ?? 2000,
      after,
      returnProperties: options.returnProperties ?? [],
      returnReferences,
    });
    if (objects.length === 0) return;
    yield objects;
    after = objects[objects.length - 1]?.uuid;
  }
}

/** id → contentHash of every object in the collection. */
export async function readHashes(
  client: WeaviateClient,
  collection: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for await (const page of readPages(client, collection, { returnProperties: ['contentHash'], signal })) {
    for (const o of page)
      hashes.set(o.uuid, typeof o.properties.contentHash === 'string' ? o.properties.contentHash : '');
  }
  return hashes;
}

/** The target ids of a reference property as returned with `returnReferences`. */
export function referencedIds(object: StoredObject, property: string): string[] {
  const ref = (object.references as Record<string, { objects?: { uuid: string }[] }> | undefined)?.[property];
  return (ref?.objects ?? []).map((o) => o.uuid);
}
