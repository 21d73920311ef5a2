/**
 * Datasets for tests and the benchmark: an in-memory EscoDataset over hand-made records (unit
 * tests of the plan logic), and a real dataset with some skills modified or removed (delta runs).
 */
import { createHash } from 'node:crypto';
import type {
  DatasetReport,
  EscoDataset,
  FileKind,
  RecordHandlers,
  RecordLocation,
  RecordsByKind,
} from '../../src/esco/dataset.ts';
import type { OccupationRecord, SkillRecord } from '../../src/esco/records.ts';

export type RecordLists = { [K in FileKind]?: RecordsByKind[K][] };

/** Concepts before relations, as the real reader streams them. */
const ORDER: FileKind[] = [
  'iscoGroups',
  'skillGroups',
  'skills',
  'occupations',
  'conceptSchemes',
  'collection',
  'skillsHierarchy',
  'occupationSkillRelations',
  'broaderRelationsSkillPillar',
  'broaderRelationsOccPillar',
  'skillSkillRelations',
];

export function fakeDataset(records: RecordLists, dangling = 0): EscoDataset {
  const fingerprint = createHash('sha256').update(JSON.stringify(records)).digest('hex');
  return {
    language: 'en',
    files: [],
    missingOptional: [],
    async scan(handlers: RecordHandlers): Promise<DatasetReport> {
      const files: DatasetReport['files'] = [];
      for (const kind of ORDER) {
        const list = (records[kind] ?? []) as never[];
        const handler = handlers[kind] as ((r: never, at: { file: string; line: number }) => unknown) | undefined;
        for (const [i, record] of list.entries()) await handler?.(record, { file: `${kind}.csv`, line: i + 2 });
        files.push({ name: `${kind}.csv`, kind, records: list.length, rejected: 0 });
      }
      return {
        files,
        missingOptional: [],
        rejected: [],
        danglingReferences: { total: dangling, byFile: {}, examples: [] },
        fingerprint,
      };
    },
    async fingerprint() {
      return fingerprint;
    },
  };
}

export interface Mutation {
  /** Skills to change (their description gets " (revised)"), by position in skills_<lang>.csv. */
  modify: (skill: SkillRecord, index: number) => boolean;
  /** Skills to drop; rows naming them are dropped too, as the reader drops dangling rows. */
  remove: (skill: SkillRecord, index: number) => boolean;
}

export interface MutatedDataset extends EscoDataset {
  /** Filled during scan. */
  modified: string[];
  removed: Set<string>;
}

/** A real (or fake) dataset with some skills changed and some removed, streamed like the original. */
export function mutatedDataset(base: EscoDataset, mutation: Mutation): MutatedDataset {
  const modified: string[] = [];
  const removed = new Set<string>();
  const keep = (...uris: string[]) => uris.every((u) => !removed.has(u));
  type Handler<T> = (r: T, at: RecordLocation) => void | Promise<void>;
  const only = <T>(handler: Handler<T> | undefined, ok: (r: T) => boolean): Handler<T> | undefined =>
    handler && ((r, at) => (ok(r) ? handler(r, at) : undefined));
  return {
    ...base,
    modified,
    removed,
    fingerprint: async () => `${await base.fingerprint()}+mutated`,
    async scan(handlers: RecordHandlers): Promise<DatasetReport> {
      modified.length = 0;
      removed.clear();
      let index = 0;
      const report = await base.scan({
        ...handlers,
        skills: (skill, at) => {
          const i = index++;
          if (mutation.remove(skill, i)) return void removed.add(skill.conceptUri);
          if (!mutation.modify(skill, i)) return handlers.skills?.(skill, at);
          modified.push(skill.conceptUri);
          return handlers.skills?.({ ...skill, description: `${skill.description ?? ''} (revised)` }, at);
        },
        collection: only(handlers.collection, (r) => keep(r.conceptUri)),
        occupationSkillRelations: only(handlers.occupationSkillRelations, (r) => keep(r.skillUri)),
        broaderRelationsSkillPillar: only(handlers.broaderRelationsSkillPillar, (r) =>
          keep(r.conceptUri, r.broaderUri),
        ),
        skillSkillRelations: only(handlers.skillSkillRelations, (r) => keep(r.originalSkillUri, r.relatedSkillUri)),
      });
      return { ...report, fingerprint: `${report.fingerprint}+mutated` };
    },
  };
}

// ---- hand-made records ------------------------------------------------------------------------

export function skill(n: number, extra: Partial<SkillRecord> = {}): SkillRecord {
  return {
    kind: 'skill',
    conceptUri: `http://data.europa.eu/esco/skill/s${n}`,
    preferredLabel: `skill ${n}`,
    altLabels: [`alt skill ${n}`],
    status: 'released',
    description: `does thing ${n}`,
    skillType: 'skill/competence',
    reuseLevel: 'sector-specific',
    hiddenLabels: [],
    modifiedDate: '2021-03-04T10:11:12.123Z',
    scopeNote: null,
    definition: null,
    inScheme: ['http://data.europa.eu/esco/concept-scheme/skills'],
    ...extra,
  };
}

export function occupation(n: number, extra: Partial<OccupationRecord> = {}): OccupationRecord {
  return {
    kind: 'occupation',
    conceptUri: `http://data.europa.eu/esco/occupation/o${n}`,
    preferredLabel: `occupation ${n}`,
    altLabels: [],
    status: 'released',
    description: `works as ${n}`,
    iscoGroup: '2654',
    code: `2654.${n}`,
    hiddenLabels: [],
    modifiedDate: null,
    regulatedProfessionNote: null,
    scopeNote: null,
    definition: null,
    inScheme: [],
    ...extra,
  };
}
