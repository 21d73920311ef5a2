/**
 * The contract between the dataset reader and its consumers (ingest, inspect, validate).
 * `openDataset` (src/esco/open.ts) discovers the files; `scan` streams every record once.
 */
import type {
  BroaderRelationRecord,
  CollectionMemberRecord,
  ConceptSchemeRecord,
  IscoGroupRecord,
  OccupationRecord,
  OccupationSkillRelationRecord,
  SkillGroupRecord,
  SkillRecord,
  SkillSkillRelationRecord,
  SkillsHierarchyRecord,
} from './records.ts';

export interface RecordsByKind {
  skills: SkillRecord;
  occupations: OccupationRecord;
  iscoGroups: IscoGroupRecord;
  skillGroups: SkillGroupRecord;
  conceptSchemes: ConceptSchemeRecord;
  collection: CollectionMemberRecord;
  skillsHierarchy: SkillsHierarchyRecord;
  occupationSkillRelations: OccupationSkillRelationRecord;
  broaderRelationsSkillPillar: BroaderRelationRecord;
  broaderRelationsOccPillar: BroaderRelationRecord;
  skillSkillRelations: SkillSkillRelationRecord;
}

export type FileKind = keyof RecordsByKind;

export type RowPolicy = 'strict' | 'report';

export interface ReadOptions {
  /** ESCO language code of the language bundle, e.g. "en". */
  language: string;
  /** strict: the first rejected row fails the scan; report: skip up to maxRejected, then fail. */
  policy: RowPolicy;
  maxRejected: number;
}

export interface DatasetFile {
  /** File name as found, e.g. "skills_en.csv" or "occupationSkillRelations.csv". */
  name: string;
  kind: FileKind;
  /** Where it was found: the zip path, or the folder. */
  source: string;
}

/** Where a record starts: the physical line of its first byte (records span lines). */
export interface RecordLocation {
  file: string;
  line: number;
}

export type RecordHandlers = {
  [K in FileKind]?: (record: RecordsByKind[K], at: RecordLocation) => void | Promise<void>;
};

export interface RejectedRow {
  file: string;
  line: number;
  column: string | null;
  value: string | null;
  code: string;
  reason: string;
}

export interface DanglingReference {
  file: string;
  line: number;
  /** The column holding the URI that names no concept in the dataset. */
  column: string;
  uri: string;
}

export interface DatasetReport {
  /**
   * Per file: `records` = valid rows read (dangling relation rows included: they are valid rows,
   * counted in `danglingReferences` and not handed over); `rejected` = rows refused.
   */
  files: { name: string; kind: FileKind; records: number; rejected: number }[];
  missingOptional: string[];
  rejected: RejectedRow[];
  /** Relation rows that were NOT passed to the handlers because a side names no known concept. */
  danglingReferences: { total: number; byFile: Record<string, number>; examples: DanglingReference[] };
  fingerprint: string;
}

export interface EscoDataset {
  readonly language: string;
  readonly files: readonly DatasetFile[];
  readonly missingOptional: readonly string[];
  /** Files seen but not used: other languages, unknown names. */
  readonly ignored?: readonly string[];
  /**
   * Streams every file once, concepts before relations, calling the handler for each valid
   * record (awaiting it: back-pressure). Relation rows whose ends are unknown concepts are
   * counted as dangling, not handed over. Throws EscoInitError DATA_INVALID per the policy.
   */
  scan(handlers: RecordHandlers): Promise<DatasetReport>;
  /** The same fingerprint `scan` reports, computed from the bytes alone (no parsing): fast. */
  fingerprint(): Promise<string>;
}
