/**
 * Clean, typed ESCO records: what the dataset reader yields and the ingestion engine consumes.
 * Text is trimmed and NBSP-normalised, list fields are split with the separator their file uses,
 * de-duplicated and free of empty items; blank optional values are `null`.
 */

export type SkillType = 'knowledge' | 'skill/competence';
export type ReuseLevel = 'transversal' | 'cross-sector' | 'sector-specific' | 'occupation-specific';
export type RelationType = 'essential' | 'optional';

/** Fields every ESCO concept row shares. */
export interface ConceptBase {
  conceptUri: string;
  preferredLabel: string;
  /** preferredLabel is never repeated here. */
  altLabels: string[];
  status: string;
  description: string | null;
}

export interface SkillRecord extends ConceptBase {
  kind: 'skill';
  /** null where the release leaves it blank (6 skills in v1.1.1). */
  skillType: SkillType | null;
  reuseLevel: ReuseLevel | null;
  hiddenLabels: string[];
  modifiedDate: string | null; // ISO 8601, normalised to milliseconds
  scopeNote: string | null;
  definition: string | null;
  inScheme: string[];
}

export interface OccupationRecord extends ConceptBase {
  kind: 'occupation';
  /** ISCO-08 code of the occupation's ISCO group, e.g. "2654". */
  iscoGroup: string | null;
  /** ESCO code, e.g. "2654.1.7". */
  code: string | null;
  hiddenLabels: string[];
  modifiedDate: string | null;
  regulatedProfessionNote: string | null;
  scopeNote: string | null;
  definition: string | null;
  inScheme: string[];
}

export interface IscoGroupRecord extends ConceptBase {
  kind: 'iscoGroup';
  code: string;
  inScheme: string[];
}

export interface SkillGroupRecord extends ConceptBase {
  kind: 'skillGroup';
  code: string | null;
  hiddenLabels: string[];
  modifiedDate: string | null;
  scopeNote: string | null;
  inScheme: string[];
}

export interface ConceptSchemeRecord {
  kind: 'conceptScheme';
  conceptSchemeUri: string;
  preferredLabel: string;
  title: string | null;
  status: string | null;
  description: string | null;
  hasTopConcept: string[];
}

/** One row of a `*Collection_<lang>.csv` file: membership of a concept in a named collection. */
export interface CollectionMemberRecord {
  kind: 'collectionMember';
  /** Derived from the file name: "digitalSkills", "green Skills" → "greenSkills", "researchOccupations"… */
  collection: string;
  conceptUri: string;
  conceptType: string;
  preferredLabel: string;
  broaderConceptUris: string[];
}

/** One row of skillsHierarchy_<lang>.csv; ragged rows leave the deeper levels null. */
export interface SkillsHierarchyRecord {
  kind: 'skillsHierarchy';
  levels: { uri: string; preferredTerm: string | null; code: string | null }[];
  description: string | null;
  scopeNote: string | null;
}

export interface OccupationSkillRelationRecord {
  kind: 'occupationSkillRelation';
  occupationUri: string;
  relationType: RelationType;
  skillType: SkillType | null;
  skillUri: string;
}

export type BroaderType = 'Occupation' | 'ISCOGroup' | 'KnowledgeSkillCompetence' | 'SkillGroup';

export interface BroaderRelationRecord {
  kind: 'broaderRelation';
  pillar: 'skill' | 'occupation';
  conceptType: BroaderType;
  conceptUri: string;
  broaderType: BroaderType;
  broaderUri: string;
}

export interface SkillSkillRelationRecord {
  kind: 'skillSkillRelation';
  originalSkillUri: string;
  originalSkillType: SkillType | null;
  relationType: RelationType;
  relatedSkillType: SkillType | null;
  relatedSkillUri: string;
}

export type EscoRecord =
  | SkillRecord
  | OccupationRecord
  | IscoGroupRecord
  | SkillGroupRecord
  | ConceptSchemeRecord
  | CollectionMemberRecord
  | SkillsHierarchyRecord
  | OccupationSkillRelationRecord
  | BroaderRelationRecord
  | SkillSkillRelationRecord;
