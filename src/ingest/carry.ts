/**
 * Vectors carried over from the published generation. A run that builds a new generation writes
 * every object into empty collections, so Weaviate's vectorizer module would make an inference
 * call for each. An object whose vectorized text (its collection's vectorized properties, by
 * value, altLabels in order: the module joins them so) is what the published generation holds is
 * written with the published vector instead, and the module makes no call: only new and changed
 * concepts are vectorized.
 *
 * Nothing is held for the whole run: the published objects are read a group at a time, by id,
 * just ahead of the writes of that group (250 vectors: 0.4 MB as Float32Array, and the read reply
 * several times that while it is decoded; 1000 took the 10 % upgrade to 253 MB peak RSS).
 */
import { failureKind } from '../weaviate/failure.ts';
import { retrying } from '../weaviate/retry.ts';
import { VECTOR_NAME, vectorizerOf } from '../weaviate/schema.ts';
import { type IngestContext, physicalName, throwIfInterrupted } from './context.ts';
import { type PlannedObject, propertiesOf } from './plan.ts';

/** Where one collection's unchanged vectors come from. */
export interface CarrySource {
  /** The published collection (`Skill_g7`, or `Skill` from before generations). */
  collection: string;
  /** The vectorized properties, the same in the published collection as in this run's. */
  properties: readonly string[];
}

/** A published object as read for carrying: its vectorized properties and its vector, if any. */
export interface PublishedObject {
  properties: Record<string, unknown>;
  vector?: ArrayLike<number>;
}

/** Published objects read per request: their vectors are transient number[] until converted. */
export const CARRY_GROUP = 250;

/**
 * The published collections to carry vectors from, by the run's collection name. Empty, without a
 * read, when the run builds no generation or vectorizes nothing. A collection is left out when
 * the published name resolves to the run's own target (a resumed switch), does not exist, or is
 * vectorized by another module or from other properties (its vectors mean something else).
 */
export async function carrySources(ctx: IngestContext): Promise<Map<string, CarrySource>> {
  const sources = new Map<string, CarrySource>();
  const vectors = ctx.vectors;
  if (ctx.generation === undefined || !vectors) return sources;
  const aliases = new Map(((await ctx.client.alias.listAll()) ?? []).map((a) => [a.alias, a.collection]));
  for (const [name, properties] of vectors.collections) {
    const published = aliases.get(name) ?? name;
    if (published === physicalName(ctx, name)) continue;
    const found = await vectorizerOfCollection(ctx, published);
    const same = [...properties].sort();
    if (found?.module !== vectors.module || JSON.stringify(found.properties) !== JSON.stringify(same)) {
      if (found)
        ctx.log.info({ collection: published, vectorizer: found }, 'vectors not carried: vectorized otherwise');
      continue;
    }
    sources.set(name, { collection: published, properties });
  }
  return sources;
}

async function vectorizerOfCollection(ctx: IngestContext, collection: string) {
  try {
    if (!(await ctx.client.collections.exists(collection))) return undefined;
    return vectorizerOf(await ctx.client.collections.exportToJson(collection));
  } catch (error) {
    if (failureKind(error) === 'not-found') return undefined;
    throw error;
  }
}

/** The text the vectorizer is given, as a comparable key: each vectorized property's value, absent alike. */
export function vectorizedText(properties: Record<string, unknown>, names: readonly string[]): string {
  return JSON.stringify(names.map((name) => presentOrNull(properties[name])));
}

/** Weaviate stores neither empty strings nor empty lists: absent (plan.ts `compact` drops them too). */
function presentOrNull(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value) && value.length === 0) return null;
  return value;
}

/**
 * The published vector, when `planned` has the published object's vectorized text and the vector
 * is one of the model's (`dimensions`; unknown: any non-empty one).
 */
export function carriedVector(
  planned: PlannedObject,
  published: PublishedObject | undefined,
  properties: readonly string[],
  dimensions: number | undefined,
): Float32Array | undefined {
  const vector = published?.vector;
  if (!vector || vector.length === 0 || (dimensions !== undefined && vector.length !== dimensions)) return undefined;
  const same = vectorizedText(propertiesOf(planned), properties) === vectorizedText(published.properties, properties);
  return same ? Float32Array.from(vector) : undefined;
}

/** The vectors `objects` can carry over from `source`, by id (read in one request). */
export async function readCarried(
  ctx: IngestContext,
  source: CarrySource,
  objects: readonly PlannedObject[],
): Promise<Map<string, Float32Array>> {
  throwIfInterrupted(ctx.signal);
  const carried = new Map<string, Float32Array>();
  if (objects.length === 0) return carried;
  const handle = ctx.client.collections.use(source.collection);
  const read = () =>
    handle.query.fetchObjects({
      filters: handle.filter.byId().containsAny(objects.map((o) => o.id)),
      limit: objects.length,
      returnProperties: [...source.properties] as never[],
      includeVector: [VECTOR_NAME],
    });
  const options = { signal: ctx.signal, log: ctx.log, maxAttempts: ctx.maxAttempts };
  const what = `reading ${objects.length} published ${source.collection} vectors`;
  const { objects: found } = await retrying(options, what, read);
  const published = new Map<string, PublishedObject>();
  for (const o of found) {
    const vector = (o.vectors as Record<string, unknown> | undefined)?.[VECTOR_NAME];
    published.set(o.uuid, { properties: o.properties, vector: Array.isArray(vector) ? vector : undefined });
  }
  const dimensions = ctx.vectors?.dimensions();
  for (const o of objects) {
    const vector = carriedVector(o, published.get(o.id), source.properties, dimensions);
    if (vector) carried.set(o.id, vector);
  }
  return carried;
}

/**
 * Writes `objects` a group at a time, each with the vectors `read` found for it; the next group's
 * are read while one is written. Returns how many vectors were carried.
 */
export async function writeInGroups<T>(
  objects: readonly PlannedObject[],
  read: (group: readonly PlannedObject[]) => Promise<Map<string, Float32Array>>,
  write: (group: readonly PlannedObject[], vectors: Map<string, Float32Array>) => Promise<T>,
  group = CARRY_GROUP,
): Promise<{ results: T[]; carried: number }> {
  const results: T[] = [];
  let carried = 0;
  const groupAt = (start: number) => objects.slice(start, start + group);
  let next = read(groupAt(0));
  for (let start = 0; start < objects.length; start += group) {
    const vectors = await next;
    next = read(groupAt(start + group));
    next.catch(() => {}); // awaited next round; abandoned when this group's write fails
    carried += vectors.size;
    results.push(await write(groupAt(start), vectors));
  }
  return { results, carried };
}
