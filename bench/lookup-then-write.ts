/**
 * Baseline for the benchmark only: a re-implementation of the original Python tool's write path
 * (OzLe/esco-semantic, src/repositories/*_repository.py), ported to weaviate-client v3:
 * - every object: query by conceptUri (limit 1); update it (PATCH) when found, else insert it
 *   alone (the original used a batch of size 1), with a random id;
 * - every relation row: look both ends up by conceptUri, then add the reference one at a time
 *   (`reference.add`), forward and inverse, so the result carries both directions as ours does.
 * It runs on a spread sample and is extrapolated linearly (see bench/ingest.ts).
 */
import type { WeaviateClient } from 'weaviate-client';
import { type Plan, type PlannedObject, propertiesOf } from '../src/ingest/plan.ts';

export interface Relation {
  fromCollection: string;
  fromUri: string;
  property: string;
  toCollection: string;
  toUri: string;
  inverse?: string;
}

/** ConceptCollection objects are named by `key`; every other collection by `conceptUri`. */
const keyProperty = (collection: string) => (collection === 'ConceptCollection' ? 'key' : 'conceptUri');

export function keyOf(object: PlannedObject): string {
  const properties = propertiesOf(object);
  return String(properties.conceptUri ?? properties.key);
}

async function lookup(client: WeaviateClient, collection: string, key: string): Promise<string | null> {
  const handle = client.collections.use(collection);
  const property = keyProperty(collection);
  const res = await handle.query.fetchObjects({
    filters: handle.filter.byProperty(property).equal(key),
    limit: 1,
    returnProperties: [property],
  });
  return res.objects[0]?.uuid ?? null;
}

/** The original's `upsert`: look up, then update or create. Returns requests made. */
export async function upsertObject(client: WeaviateClient, collection: string, object: PlannedObject): Promise<number> {
  const handle = client.collections.use(collection);
  const key = keyOf(object);
  const properties = propertiesOf(object);
  const existing = await lookup(client, collection, key);
  if (existing) {
    const { [keyProperty(collection)]: _keep, ...rest } = properties;
    await handle.data.update({ id: existing, properties: rest });
  } else {
    const res = await handle.data.insertMany([{ properties }]);
    if (res.hasErrors) throw new Error(`insert ${key}: ${Object.values(res.errors)[0]?.message}`);
  }
  return 2;
}

/** The original's relation methods: two lookups, then reference.add per direction. */
export async function addRelation(client: WeaviateClient, r: Relation): Promise<number> {
  const from = await lookup(client, r.fromCollection, r.fromUri);
  const to = await lookup(client, r.toCollection, r.toUri);
  if (!from || !to) return 2;
  await client.collections.use(r.fromCollection).data.referenceAdd({ fromUuid: from, fromProperty: r.property, to });
  if (r.inverse)
    await client.collections.use(r.toCollection).data.referenceAdd({ fromUuid: to, fromProperty: r.inverse, to: from });
  return r.inverse ? 4 : 3;
}

/**
 * The relation rows behind a plan, one per forward reference (inverse lists are the same rows
 * seen from the other end), for replaying them one by one.
 */
export function relationsOf(plan: Plan): Relation[] {
  const byId = new Map<string, { collection: string; uri: string }>();
  for (const c of plan.collections) for (const o of c.objects) byId.set(o.id, { collection: c.name, uri: keyOf(o) });
  const inverses: Record<string, string> = {
    essentialSkills: 'essentialForOccupations',
    optionalSkills: 'optionalForOccupations',
    broaderSkills: 'narrowerSkills',
    broaderOccupations: 'narrowerOccupations',
    relatedEssentialSkills: 'relatedEssentialSkillOf',
    relatedOptionalSkills: 'relatedOptionalSkillOf',
    inCollections: '',
    iscoGroup: '',
  };
  const relations: Relation[] = [];
  for (const c of plan.collections) {
    for (const o of c.objects) {
      for (const [property, ids] of Object.entries(o.references)) {
        if (!(property in inverses) && !['broaderSkillGroups', 'broaderIscoGroups'].includes(property)) continue;
        for (const id of ids) {
          const to = byId.get(id);
          if (!to) continue;
          const inverse = inverseOf(c.name, property, to.collection, inverses);
          relations.push({
            fromCollection: c.name,
            fromUri: keyOf(o),
            property,
            toCollection: to.collection,
            toUri: to.uri,
            inverse,
          });
        }
      }
    }
  }
  return relations;
}

function inverseOf(from: string, property: string, to: string, inverses: Record<string, string>): string | undefined {
  if (property === 'broaderSkillGroups') return from === 'Skill' ? 'narrowerSkills' : 'narrowerSkillGroups';
  if (property === 'broaderIscoGroups') return from === 'Occupation' ? 'narrowerOccupations' : 'narrowerIscoGroups';
  if (property === 'inCollections')
    return to === 'ConceptCollection' && from === 'Skill' ? 'memberSkills' : 'memberOccupations';
  return inverses[property] || undefined;
}
