/**
 * The Weaviate queries behind the search service: keyword, vector or hybrid search over skills
 * and occupations with filters, a concept's vector neighbours, and one concept with its related
 * concepts (via the references ingestion wrote, resources/schemas/*.yaml). Results are plain
 * JSON-ready objects. Every query is given the collections to read (`Names`: one generation's,
 * src/search/generation-pin.ts) and reads no other; references stay inside a generation.
 */
import type { WeaviateClient } from 'weaviate-client';
import { VECTOR_NAME } from '../weaviate/schema.ts';
import type { CollectionMembers } from './catalog.ts';
import { COLLECTION, CONCEPT_TYPES, type ConceptType } from './concepts.ts';
import { buildFilter, excludingId, type SearchFilters } from './filters.ts';
import type { Pin } from './generation-pin.ts';
import type { Ranking } from './mode.ts';

const CONCEPT_COLLECTION = 'ConceptCollection';
const URI_BASE = 'http://data.europa.eu/esco';

/** Where a query term counts most: the preferred label, then alternative labels, then the text. */
const QUERY_PROPERTIES = ['preferredLabel^3', 'altLabels^2', 'description'];
const LIST_PROPERTIES: Record<ConceptType, string[]> = {
  skill: ['conceptUri', 'preferredLabel', 'skillType', 'reuseLevel'],
  occupation: ['conceptUri', 'preferredLabel', 'code', 'iscoGroupCode'],
};
const DETAIL_PROPERTIES: Record<ConceptType, string[]> = {
  skill: [...LIST_PROPERTIES.skill, 'altLabels', 'description', 'status', 'collections'],
  occupation: [...LIST_PROPERTIES.occupation, 'altLabels', 'description', 'status', 'collections'],
};

export interface ConceptSummary {
  /** The ESCO identifier: the last segment of the concept URI. */
  id: string;
  uri: string;
  label: string;
  [property: string]: unknown;
}

export interface SearchHit extends ConceptSummary {
  /** bm25 and hybrid: higher is better (hybrid: fused, 0..1). */
  score?: number | null;
  /** vector and neighbours: cosine distance to the query or concept, lower is nearer. */
  distance?: number | null;
}

export interface SearchSpec {
  type: ConceptType;
  q: string;
  limit: number;
  ranking: Ranking;
  filters: SearchFilters;
}

/** The collections a query reads: a published name → the collection holding its data. */
export type Names = Pick<Pin, 'collection'>;

/**
 * The published names themselves (aliases of the published generation): for one-off readers such
 * as the demo and the benches. A request of the service reads a pin instead, never these.
 */
export const PUBLISHED_NAMES: Names = { collection: (name) => name };

type Properties = Record<string, unknown>;
type Found = { properties: Properties; metadata?: { score?: number; distance?: number } };

export class SearchQueries {
  readonly #client: WeaviateClient;
  /** By collection (`Skill_g7`): each generation is created with its run's vectorizer. */
  readonly #vectors = new Map<string, boolean>();

  constructor(client: WeaviateClient) {
    this.#client = client;
  }

  /**
   * True when the collection has a vectorizer, so its objects carry vectors; false for a
   * deployment without the transformers module. Asked once per collection: it is fixed when
   * the collection is created.
   */
  async hasVectors(names: Names, type: ConceptType): Promise<boolean> {
    const name = names.collection(COLLECTION[type]);
    const known = this.#vectors.get(name);
    if (known !== undefined) return known;
    const config = await this.#client.collections.use(name).config.get();
    const vectorizer = config.vectorizers[VECTOR_NAME]?.vectorizer.name ?? 'none';
    this.#vectors.set(name, vectorizer !== 'none');
    return vectorizer !== 'none';
  }

  async search(names: Names, spec: SearchSpec): Promise<SearchHit[]> {
    const { type, q, limit, ranking } = spec;
    const collection = this.#client.collections.use(names.collection(COLLECTION[type]));
    const common = { limit, filters: buildFilter(spec.filters), returnProperties: LIST_PROPERTIES[type] };
    const keywords = { ...common, queryProperties: QUERY_PROPERTIES, returnMetadata: ['score' as const] };
    switch (ranking.mode) {
      case 'bm25':
        return hits(await collection.query.bm25(q, keywords), 'score');
      case 'hybrid': {
        const options = {
          ...keywords,
          alpha: ranking.alpha,
          targetVector: VECTOR_NAME,
          fusionType: 'RelativeScore' as const,
        };
        return hits(await collection.query.hybrid(q, options), 'score');
      }
      case 'vector': {
        const options = { ...common, targetVector: VECTOR_NAME, returnMetadata: ['distance' as const] };
        return hits(await collection.query.nearText(q, options), 'distance');
      }
    }
  }

  /**
   * The concept's nearest neighbours by its vector, itself left out; null when there is no such
   * concept. Callers check `hasVectors` first: without vectors Weaviate has nothing to compare.
   */
  async similar(names: Names, type: ConceptType, id: string, limit: number) {
    const collection = this.#client.collections.use(names.collection(COLLECTION[type]));
    const found = await collection.query.fetchObjects({
      filters: collection.filter.byProperty('conceptUri').equal(conceptUri(type, id)),
      limit: 1,
      returnProperties: LIST_PROPERTIES[type],
    });
    const object = found.objects[0];
    if (!object) return null;
    const near = await collection.query.nearObject(object.uuid, {
      limit,
      targetVector: VECTOR_NAME,
      filters: excludingId(object.uuid),
      returnProperties: LIST_PROPERTIES[type],
      returnMetadata: ['distance'],
    });
    return { concept: summary(object.properties), hits: hits(near, 'distance') };
  }

  /** Every stored ESCO collection with its numbers of skill and occupation members. */
  async collectionMembers(names: Names): Promise<CollectionMembers> {
    const concepts = this.#client.collections.use(names.collection(CONCEPT_COLLECTION));
    const stored = await concepts.query.fetchObjects({
      limit: 10_000,
      returnProperties: ['key'],
    });
    const keys = stored.objects.map((o) => String(o.properties.key));
    const counted = await Promise.all(
      keys.map(async (key) => {
        const [skill, occupation] = await Promise.all(CONCEPT_TYPES.map((type) => this.#countIn(names, type, key)));
        return [key, { skill: skill ?? 0, occupation: occupation ?? 0 }] as const;
      }),
    );
    return new Map(counted);
  }

  async #countIn(names: Names, type: ConceptType, key: string): Promise<number> {
    const collection = this.#client.collections.use(names.collection(COLLECTION[type]));
    const filters = collection.filter.byProperty('collections').containsAny([key]);
    return (await collection.aggregate.overAll({ filters })).totalCount;
  }

  /** An occupation with its essential and optional skills; null when there is none. */
  async occupation(names: Names, id: string): Promise<Properties | null> {
    const found = await this.#fetchOne(names, 'occupation', id, ['essentialSkills', 'optionalSkills'], 'skill');
    if (!found) return null;
    const { properties, refs } = found;
    return { ...summary(properties), essentialSkills: refs.essentialSkills, optionalSkills: refs.optionalSkills };
  }

  /** A skill with the occupations for which it is essential or optional; null when there is none. */
  async skill(names: Names, id: string): Promise<Properties | null> {
    const found = await this.#fetchOne(
      names,
      'skill',
      id,
      ['essentialForOccupations', 'optionalForOccupations'],
      'occupation',
    );
    if (!found) return null;
    const { properties, refs } = found;
    return {
      ...summary(properties),
      occupations: { essential: refs.essentialForOccupations, optional: refs.optionalForOccupations },
    };
  }

  async #fetchOne(names: Names, type: ConceptType, id: string, links: string[], targetType: ConceptType) {
    const collection = this.#client.collections.use(names.collection(COLLECTION[type]));
    const result = await collection.query.fetchObjects({
      filters: collection.filter.byProperty('conceptUri').equal(conceptUri(type, id)),
      limit: 1,
      returnProperties: DETAIL_PROPERTIES[type],
      returnReferences: links.map((linkOn) => ({ linkOn, returnProperties: LIST_PROPERTIES[targetType] })),
    });
    const object = result.objects[0];
    if (!object) return null;
    const refs: Record<string, ConceptSummary[]> = {};
    for (const link of links) {
      const targets = (object.references?.[link]?.objects ?? []).map((t) => summary(t.properties as Properties));
      refs[link] = targets.sort((a, b) => a.label.localeCompare(b.label));
    }
    return { properties: object.properties, refs };
  }
}

/** Accepts the ESCO id (the UUID at the end of the concept URI) or the whole concept URI. */
export function conceptUri(type: ConceptType, id: string): string {
  return /^https?:\/\//.test(id) ? id : `${URI_BASE}/${type}/${id}`;
}

function hits(result: { objects: Found[] }, metric: 'score' | 'distance'): SearchHit[] {
  return result.objects.map((o) => ({ ...summary(o.properties), [metric]: o.metadata?.[metric] ?? null }));
}

function summary(p: Properties): ConceptSummary {
  const uri = String(p.conceptUri ?? '');
  const { conceptUri: _u, preferredLabel, ...rest } = p;
  return { id: uri.slice(uri.lastIndexOf('/') + 1), uri, label: String(preferredLabel ?? ''), ...rest };
}
