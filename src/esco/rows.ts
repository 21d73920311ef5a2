/**
 * One zod schema per row kind: raw cells (keyed by header name) in, clean typed records out.
 * `required` columns must be in the header; `optional` ones default to "" when a release lacks
 * them. Separators are the ones each file really uses (see /work/shared/esco/README.md).
 */
import { z } from 'zod';
import type { FileKind, RecordsByKind } from './dataset.ts';
import {
  COMMA_NEWLINE,
  dateTime,
  NEWLINE,
  oneOf,
  optionalUri,
  PIPE,
  pattern,
  requiredText,
  text,
  textList,
  uri,
  uriList,
} from './fields.ts';

const SKILL_TYPES = ['knowledge', 'skill/competence'] as const;
const REUSE_LEVELS = ['transversal', 'cross-sector', 'sector-specific', 'occupation-specific'] as const;
const RELATION_TYPES = ['essential', 'optional'] as const;
const STATUSES = ['released', 'draft', 'deprecated'] as const;
const BROADER_TYPES = ['Occupation', 'ISCOGroup', 'KnowledgeSkillCompetence', 'SkillGroup'] as const;

const skillType = oneOf(SKILL_TYPES, { blank: true });
const status = oneOf(STATUSES, { blank: true }).transform((s) => s ?? '');
const conceptType = (t: string) => oneOf([t], { blank: true });
/** Drops the preferredLabel from the alternatives: consumers index it separately. */
const withoutPreferred = (labels: string[], preferred: string) => labels.filter((l) => l !== preferred);

/** A concept row as its record: tagged with its kind, conceptType dropped, preferredLabel kept out of altLabels. */
function conceptRecord<K extends string>(kind: K) {
  return <R extends { conceptType: unknown; preferredLabel: string; altLabels: string[] }>({
    conceptType: _,
    ...r
  }: R) => ({ kind, ...r, altLabels: withoutPreferred(r.altLabels, r.preferredLabel) });
}

const skill = z
  .object({
    conceptType: conceptType('KnowledgeSkillCompetence'),
    conceptUri: uri,
    skillType,
    reuseLevel: oneOf(REUSE_LEVELS, { blank: true }),
    preferredLabel: requiredText,
    altLabels: textList(NEWLINE),
    hiddenLabels: textList(NEWLINE),
    status,
    modifiedDate: dateTime,
    scopeNote: text,
    definition: text,
    inScheme: uriList(COMMA_NEWLINE),
    description: text,
  })
  .transform(conceptRecord('skill'));

const occupation = z
  .object({
    conceptType: conceptType('Occupation'),
    conceptUri: uri,
    iscoGroup: pattern(/^\d{1,4}$/, 'an ISCO-08 code of 1 to 4 digits', { blank: true }),
    preferredLabel: requiredText,
    altLabels: textList(NEWLINE),
    hiddenLabels: textList(NEWLINE),
    status,
    modifiedDate: dateTime,
    regulatedProfessionNote: text,
    scopeNote: text,
    definition: text,
    inScheme: uriList(COMMA_NEWLINE),
    description: text,
    code: pattern(/^\d{1,4}(\.\d+)*$/, 'an ESCO occupation code like 2654.1.7', { blank: true }),
  })
  .transform(conceptRecord('occupation'));

const iscoGroup = z
  .object({
    conceptType: conceptType('ISCOGroup'),
    conceptUri: uri,
    code: pattern(/^\d{1,4}$/, 'an ISCO-08 code of 1 to 4 digits', { blank: false }),
    preferredLabel: requiredText,
    status,
    altLabels: textList(NEWLINE),
    inScheme: uriList(COMMA_NEWLINE),
    description: text,
  })
  .transform(conceptRecord('iscoGroup'));

const skillGroup = z
  .object({
    conceptType: conceptType('SkillGroup'),
    conceptUri: uri,
    preferredLabel: requiredText,
    altLabels: textList(NEWLINE),
    hiddenLabels: textList(NEWLINE),
    status,
    modifiedDate: dateTime,
    scopeNote: text,
    inScheme: uriList(NEWLINE),
    description: text,
    code: text,
  })
  .transform(conceptRecord('skillGroup'));

const conceptScheme = z
  .object({
    conceptType: conceptType('ConceptScheme'),
    conceptSchemeUri: uri,
    preferredLabel: requiredText,
    title: text,
    status: oneOf(STATUSES, { blank: true }),
    description: text,
    hasTopConcept: uriList(COMMA_NEWLINE),
  })
  .transform(({ conceptType: _, ...r }) => ({ kind: 'conceptScheme' as const, ...r }));

const collectionMember = z
  .object({
    conceptType: oneOf(BROADER_TYPES, { blank: false }),
    conceptUri: uri,
    preferredLabel: requiredText,
    status,
    skillType,
    reuseLevel: oneOf(REUSE_LEVELS, { blank: true }),
    altLabels: textList(PIPE),
    broaderConceptUri: uriList(PIPE),
  })
  .transform((r) => ({
    kind: 'collectionMember' as const,
    collection: '',
    conceptUri: r.conceptUri,
    conceptType: r.conceptType,
    preferredLabel: r.preferredLabel,
    broaderConceptUris: r.broaderConceptUri,
  }));

const LEVELS = [0, 1, 2, 3] as const;

const hierarchy = z
  .object({
    ...Object.fromEntries(
      LEVELS.flatMap((i) => [
        [`Level ${i} URI`, i === 0 ? uri : optionalUri],
        [`Level ${i} preferred term`, text],
        [`Level ${i} code`, text],
      ]),
    ),
    Description: text,
    'Scope note': text,
  })
  .transform((r, ctx) => {
    const row = r as Record<string, string | null>;
    const levels: { uri: string; preferredTerm: string | null; code: string | null }[] = [];
    for (const i of LEVELS) {
      const levelUri = row[`Level ${i} URI`];
      if (!levelUri) continue;
      if (levels.length !== i) {
        ctx.addIssue({
          code: 'custom',
          path: [`Level ${i} URI`],
          message: `level ${i} without level ${i - 1}`,
          params: { code: 'HIERARCHY_GAP' },
        });
        return z.NEVER;
      }
      levels.push({
        uri: levelUri,
        preferredTerm: row[`Level ${i} preferred term`] ?? null,
        code: row[`Level ${i} code`] ?? null,
      });
    }
    return {
      kind: 'skillsHierarchy' as const,
      levels,
      description: row.Description ?? null,
      scopeNote: row['Scope note'] ?? null,
    };
  });

const occupationSkillRelation = z
  .object({
    occupationUri: uri,
    relationType: oneOf(RELATION_TYPES, { blank: false }),
    skillType,
    skillUri: uri,
  })
  .transform((r) => ({ kind: 'occupationSkillRelation' as const, ...r }));

const broaderType = oneOf(BROADER_TYPES, { blank: false });
const broaderRelation = (pillar: 'skill' | 'occupation') =>
  z.object({ conceptType: broaderType, conceptUri: uri, broaderType, broaderUri: uri }).transform((r) => ({
    kind: 'broaderRelation' as const,
    pillar,
    conceptType: r.conceptType,
    conceptUri: r.conceptUri,
    broaderType: r.broaderType,
    broaderUri: r.broaderUri,
  }));

const skillSkillRelation = z
  .object({
    originalSkillUri: uri,
    originalSkillType: skillType,
    relationType: oneOf(RELATION_TYPES, { blank: false }),
    relatedSkillType: skillType,
    relatedSkillUri: uri,
  })
  .transform((r) => ({ kind: 'skillSkillRelation' as const, ...r }));

export interface RowSpec<T = unknown> {
  schema: z.ZodType<T, Record<string, string>>;
  required: readonly string[];
  /** Every column the schema reads (required ones included). */
  columns: readonly string[];
  /** skillsHierarchy leaves trailing empty cells out; elsewhere a short row is an error. */
  ragged: boolean;
  /** The column naming the concept the row defines (duplicates are rejected), if any. */
  idColumn: string | null;
}

function spec<T>(
  schema: z.ZodPipe<z.ZodObject, z.ZodTransform<T>>,
  required: string[],
  options: { ragged?: boolean; idColumn?: string | null } = {},
): RowSpec<T> {
  const shape = schema.in.shape;
  return {
    schema: schema as unknown as RowSpec<T>['schema'],
    required,
    columns: Object.keys(shape),
    ragged: options.ragged ?? false,
    idColumn: options.idColumn === undefined ? 'conceptUri' : options.idColumn,
  };
}

export const ROW_SPECS: { [K in FileKind]: RowSpec<RecordsByKind[K]> } = {
  skills: spec(skill, ['conceptUri', 'preferredLabel', 'skillType']),
  occupations: spec(occupation, ['conceptUri', 'preferredLabel']),
  iscoGroups: spec(iscoGroup, ['conceptUri', 'code', 'preferredLabel']),
  skillGroups: spec(skillGroup, ['conceptUri', 'preferredLabel']),
  conceptSchemes: spec(conceptScheme, ['conceptSchemeUri', 'preferredLabel'], { idColumn: 'conceptSchemeUri' }),
  collection: spec(collectionMember, ['conceptType', 'conceptUri', 'preferredLabel']),
  skillsHierarchy: spec(hierarchy, ['Level 0 URI', 'Level 0 preferred term'], { ragged: true, idColumn: null }),
  occupationSkillRelations: spec(occupationSkillRelation, ['occupationUri', 'relationType', 'skillType', 'skillUri'], {
    idColumn: null,
  }),
  broaderRelationsSkillPillar: spec(
    broaderRelation('skill'),
    ['conceptType', 'conceptUri', 'broaderType', 'broaderUri'],
    {
      idColumn: null,
    },
  ),
  broaderRelationsOccPillar: spec(
    broaderRelation('occupation'),
    ['conceptType', 'conceptUri', 'broaderType', 'broaderUri'],
    {
      idColumn: null,
    },
  ),
  skillSkillRelations: spec(
    skillSkillRelation,
    ['originalSkillUri', 'originalSkillType', 'relationType', 'relatedSkillType', 'relatedSkillUri'],
    { idColumn: null },
  ),
};
