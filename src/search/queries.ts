/**
 * The Weaviate queries behind the search service: keyword or hybrid search over skills and
 * occupations, and one concept with its related concepts (via the references ingestion wrote,
 * resources/schemas/*.yaml). Results are plain JSON-ready objects.
 */
import type { WeaviateClient } from 'weaviate-client';
import { VECTOR_NAME } from '../weaviate/schema.ts';

export const CONCEPT_TYPES = ['skill', 'occupation'] as const;
export type ConceptType = (typeof CONCEPT_TYPES)[number];

export const COLLECTION: Record<ConceptType, string> = { skill: 'Skill', occupation: 'Occupation' };
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

export type SearchMode = 'hybrid' | 'bm25';

export interface ConceptSummary {
  /** The ESCO identifier: the last segment of the concept URI. */
  id: string;
  uri: string;
  label: string;
  [property: string]: unknown;
}

export interface SearchHit extends ConceptSummary {
  score: number | null;
}

type Properties = Record<string, unknown>;

export class SearchQueries {
  readonly #client: WeaviateClient;
  readonly #modes = new Map<ConceptType, SearchMode>();

  constructor(client: WeaviateClient) {
    this.#client = client;
  }

  /**
   * Hybrid (BM25 + vector) when the collection has a vectorizer, so its objects carry vectors;
   * BM25 otherwise (compose without the transformers module). Asked once per collection.
   */
  async modeOf(type: ConceptType): Promise<SearchMode> {
    const known = this.#modes.get(type);
    if (known) return known;
    const config = await this.#client.collections.use(COLLECTION[type]).config.get();
    const vectorizer = config.vectorizers[VECTOR_NAME]?.vectorizer.name ?? 'none';
    const mode: SearchMode = vectorizer === 'none' ? 'bm25' : 'hybrid';
    this.#modes.set(type, mode);
    return mode;
  }

  async search(type: ConceptType, q: string, limit: number): Promise<{ mode: SearchMode; hits: SearchHit[] }> {
    const mode = await this.modeOf(type);
    const collection = this.#client.collections.use(COLLECTION[type]);
    const common = {
      limit,
      queryProperties: QUERY_PROPERTIES,
      returnProperties: LIST_PROPERTIES[type],
      returnMetadata: ['score' as const],
    };
    const result =
      mode === 'hybrid'
        ? await collection.query.hybrid(q, { ...common, targetVector: VECTOR_NAME, fusionType: 'RelativeScore' })
        : await collection.query.bm25(q, common);
    const hits = result.objects.map((o) => ({ ...summary(o.properties), score: o.metadata?.score ?? null }));
    return { mode, hits };
  }

  /** An occupation with its essential and optional skills; null when there is none. */
  async occupation(id: string): Promise<Properties | null> {
    const found = await this.#fetchOne('occupation', id, ['essentialSkills', 'optionalSkills'], 'skill');
    if (!found) return null;
    const { properties, refs } = found;
    return { ...summary(properties), essentialSkills: refs.essentialSkills, optionalSkills: refs.optionalSkills };
  }

  /** A skill with the occupations for which it is essential or optional; null when there is none. */
  async skill(id: string): Promise<Properties | null> {
    const found = await this.#fetchOne(
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

  async #fetchOne(type: ConceptType, id: string, links: string[], targetType: ConceptType) {
    const collection = this.#client.collections.use(COLLECTION[type]);
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

function summary(p: Properties): ConceptSummary {
  const uri = String(p.conceptUri ?? '');
  const { conceptUri: _u, preferredLabel, ...rest } = p;
  return { id: uri.slice(uri.lastIndexOf('/') + 1), uri, label: String(preferredLabel ?? ''), ...rest };
}
