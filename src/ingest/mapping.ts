/**
 * How ESCO records become Weaviate objects: which collection, which properties, and which
 * reference properties each relation fills (forward and inverse, so both directions are queryable).
 * The property names here are the ones in resources/schemas/*.yaml (a unit test keeps them in step).
 */
import { createHash } from 'node:crypto';
import type {
  ConceptSchemeRecord,
  IscoGroupRecord,
  OccupationRecord,
  SkillGroupRecord,
  SkillRecord,
} from '../esco/records.ts';

export const COLLECTIONS = {
  skill: 'Skill',
  occupation: 'Occupation',
  iscoGroup: 'ISCOGroup',
  skillGroup: 'SkillGroup',
  conceptScheme: 'ConceptScheme',
  conceptCollection: 'ConceptCollection',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/** Written in dependency-free order; references are written in a later pass anyway. */
export const INGESTED_COLLECTIONS: readonly CollectionName[] = [
  'ISCOGroup',
  'SkillGroup',
  'Skill',
  'Occupation',
  'ConceptScheme',
  'ConceptCollection',
];

export type PropertyValue = string | number | boolean | string[];
export type Properties = Record<string, PropertyValue>;

/** RFC 4122's DNS namespace, the one weaviate-client's `generateUuid5` hashes names under. */
const DNS_NAMESPACE = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');

/**
 * Deterministic object id: UUIDv5 of the full concept URI under the DNS namespace, the id
 * weaviate-client's `generateUuid5(uri)` gives (a unit test holds them equal). Computed here with
 * one SHA-1 call: the client's is several times slower, and the plan needs one per concept.
 */
export function objectId(uri: string): string {
  const h = createHash('sha1').update(DNS_NAMESPACE).update(uri).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** ESCO collections have no URI of their own: their key (from the file name) identifies them. */
export function collectionUri(key: string): string {
  return `esco-init:collection:${key}`;
}

/** Drops null, empty strings and empty lists: Weaviate stores "absent", and so do we. */
export function compact(values: Record<string, PropertyValue | null | undefined>): Properties {
  const out: Properties = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

export function skillProperties(r: SkillRecord): Properties {
  return compact({
    conceptUri: r.conceptUri,
    preferredLabel: r.preferredLabel,
    altLabels: r.altLabels,
    hiddenLabels: r.hiddenLabels,
    description: r.description,
    definition: r.definition,
    scopeNote: r.scopeNote,
    skillType: r.skillType,
    reuseLevel: r.reuseLevel,
    status: r.status,
    modifiedDate: r.modifiedDate,
    inScheme: r.inScheme,
  });
}

export function occupationProperties(r: OccupationRecord): Properties {
  return compact({
    conceptUri: r.conceptUri,
    code: r.code,
    iscoGroupCode: r.iscoGroup,
    preferredLabel: r.preferredLabel,
    altLabels: r.altLabels,
    hiddenLabels: r.hiddenLabels,
    description: r.description,
    definition: r.definition,
    scopeNote: r.scopeNote,
    regulatedProfessionNote: r.regulatedProfessionNote,
    status: r.status,
    modifiedDate: r.modifiedDate,
    inScheme: r.inScheme,
  });
}

export function iscoGroupProperties(r: IscoGroupRecord): Properties {
  return compact({
    conceptUri: r.conceptUri,
    code: r.code,
    preferredLabel: r.preferredLabel,
    altLabels: r.altLabels,
    description: r.description,
    status: r.status,
    inScheme: r.inScheme,
  });
}

export function skillGroupProperties(r: SkillGroupRecord): Properties {
  return compact({
    conceptUri: r.conceptUri,
    code: r.code,
    preferredLabel: r.preferredLabel,
    altLabels: r.altLabels,
    hiddenLabels: r.hiddenLabels,
    description: r.description,
    scopeNote: r.scopeNote,
    status: r.status,
    modifiedDate: r.modifiedDate,
    inScheme: r.inScheme,
  });
}

export function conceptSchemeProperties(r: ConceptSchemeRecord): Properties {
  return compact({
    conceptUri: r.conceptSchemeUri,
    preferredLabel: r.preferredLabel,
    title: r.title,
    status: r.status,
    description: r.description,
    hasTopConcept: r.hasTopConcept,
  });
}

/** A link between two collections: the reference property on each side (inverse optional). */
export interface LinkRule {
  forward: string;
  inverse?: string;
}

/** Keyed by the collections of the two ends: a relation row picks its rule by what its ends are. */
export type LinkRules = Readonly<Partial<Record<CollectionName, Partial<Record<CollectionName, LinkRule>>>>>;

export const LINKS = {
  essentialSkill: { Occupation: { Skill: { forward: 'essentialSkills', inverse: 'essentialForOccupations' } } },
  optionalSkill: { Occupation: { Skill: { forward: 'optionalSkills', inverse: 'optionalForOccupations' } } },
  broaderSkillPillar: {
    Skill: {
      Skill: { forward: 'broaderSkills', inverse: 'narrowerSkills' },
      SkillGroup: { forward: 'broaderSkillGroups', inverse: 'narrowerSkills' },
    },
    SkillGroup: { SkillGroup: { forward: 'broaderSkillGroups', inverse: 'narrowerSkillGroups' } },
  },
  broaderOccPillar: {
    Occupation: {
      Occupation: { forward: 'broaderOccupations', inverse: 'narrowerOccupations' },
      ISCOGroup: { forward: 'broaderIscoGroups', inverse: 'narrowerOccupations' },
    },
    ISCOGroup: { ISCOGroup: { forward: 'broaderIscoGroups', inverse: 'narrowerIscoGroups' } },
  },
  essentialRelatedSkill: {
    Skill: { Skill: { forward: 'relatedEssentialSkills', inverse: 'relatedEssentialSkillOf' } },
  },
  optionalRelatedSkill: { Skill: { Skill: { forward: 'relatedOptionalSkills', inverse: 'relatedOptionalSkillOf' } } },
  collectionMember: {
    Skill: { ConceptCollection: { forward: 'inCollections', inverse: 'memberSkills' } },
    Occupation: { ConceptCollection: { forward: 'inCollections', inverse: 'memberOccupations' } },
  },
  iscoGroupCode: { Occupation: { ISCOGroup: { forward: 'iscoGroup' } } },
} as const satisfies Record<string, LinkRules>;
