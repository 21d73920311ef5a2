/**
 * The ESCO CSV files we know, by name. v1.1.x ships the relation files without a language
 * suffix in a separate bundle; v1.2.x ships them with `_<lang>` in the language bundle: both match.
 */
import type { FileKind } from './dataset.ts';

/** Scan order (concepts before relations) and the canonical order of the fingerprint. */
export const FILE_ORDER: readonly FileKind[] = [
  'skillGroups',
  'skills',
  'iscoGroups',
  'occupations',
  'conceptSchemes',
  'skillsHierarchy',
  'collection',
  'occupationSkillRelations',
  'broaderRelationsSkillPillar',
  'broaderRelationsOccPillar',
  'skillSkillRelations',
];

export const REQUIRED_KINDS: readonly FileKind[] = ['skills', 'occupations'];

const BASE_NAMES: Record<Exclude<FileKind, 'collection'>, string> = {
  skills: 'skills',
  occupations: 'occupations',
  iscoGroups: 'ISCOGroups',
  skillGroups: 'skillGroups',
  conceptSchemes: 'conceptSchemes',
  skillsHierarchy: 'skillsHierarchy',
  occupationSkillRelations: 'occupationSkillRelations',
  broaderRelationsSkillPillar: 'broaderRelationsSkillPillar',
  broaderRelationsOccPillar: 'broaderRelationsOccPillar',
  skillSkillRelations: 'skillSkillRelations',
};

const RELATION_KINDS: ReadonlySet<FileKind> = new Set([
  'occupationSkillRelations',
  'broaderRelationsSkillPillar',
  'broaderRelationsOccPillar',
  'skillSkillRelations',
]);

export const isRelationKind = (kind: FileKind): boolean => RELATION_KINDS.has(kind);

export type Classified =
  | { match: 'esco'; kind: FileKind; collection: string | null }
  | { match: 'otherLanguage'; language: string }
  | { match: 'none' };

const NAME = /^(?<base>[A-Za-z ]+?)(?:_(?<lang>[A-Za-z]{2,3}(?:-[A-Za-z]+)?))?\.csv$/;

/** Which ESCO file a base name (no folders) is, for the wanted language. */
export function classify(fileName: string, language: string): Classified {
  const m = NAME.exec(fileName);
  const base = m?.groups?.base;
  if (!m || !base) return { match: 'none' };
  const lang = m.groups?.lang;
  const kind = kindOf(base);
  if (!kind) return { match: 'none' };
  if (lang !== undefined && lang.toLowerCase() !== language.toLowerCase())
    return { match: 'otherLanguage', language: lang };
  return { match: 'esco', kind, collection: kind === 'collection' ? collectionName(base) : null };
}

function kindOf(base: string): FileKind | null {
  const lower = base.toLowerCase();
  if (/collection$/i.test(base) && base.length > 'collection'.length) return 'collection';
  for (const [kind, name] of Object.entries(BASE_NAMES)) {
    if (name.toLowerCase() === lower) return kind as FileKind;
  }
  return null;
}

/** "greenSkillsCollection" → "greenSkills"; "green SkillsCollection" → "greenSkills". */
function collectionName(base: string): string {
  return base.replace(/collection$/i, '').replaceAll(' ', '');
}

/** The name we tell the user to look for when a file is missing. */
export function expectedName(kind: Exclude<FileKind, 'collection'>, language: string): string {
  return isRelationKind(kind) ? `${BASE_NAMES[kind]}.csv` : `${BASE_NAMES[kind]}_${language}.csv`;
}

export const SINGLE_KINDS = Object.keys(BASE_NAMES) as Exclude<FileKind, 'collection'>[];
