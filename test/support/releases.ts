/**
 * Two releases of the sample for upgrade tests: A is data/sample as it is, B a changed copy (some
 * preferred labels reworded, a few skills removed, a few added) so that an answer tells which
 * release it came from. Labels are read back from the CSVs with csv-parse, not by the project's
 * reader: they are what the tests expect the service to return.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

type Row = Record<string, string>;

export interface Release {
  dir: string;
  /** Concept URI → preferred label (as ESCO defines text: NBSP a space, trimmed), skills and occupations. */
  skills: Map<string, string>;
  occupations: Map<string, string>;
}

export interface ReleaseChanges {
  /** Concepts in both releases whose preferred label differs. */
  relabelled: { type: 'skill' | 'occupation'; uri: string; before: string; after: string }[];
  /** Skills only in A, and only in B. */
  removed: string[];
  added: string[];
}

const NEW_SKILLS = ['orbital hydroponics upkeep', 'tidal turbine blade inspection', 'mycelium packaging moulding'];

export function readRelease(dir: string): Release {
  const labels = (file: string) =>
    new Map(rows(path.join(dir, file)).map((r) => [r.conceptUri ?? '', text(r.preferredLabel)]));
  return { dir, skills: labels('skills_en.csv'), occupations: labels('occupations_en.csv') };
}

/** Writes release B into `dir` (a fresh directory) from release A in `sample`. */
export function writeReleaseB(sample: string, dir: string): ReleaseChanges {
  cpSync(sample, dir, { recursive: true });
  const changes: ReleaseChanges = { relabelled: [], removed: [], added: [] };
  const skillsFile = path.join(dir, 'skills_en.csv');
  const skills = rows(skillsFile).sort((a, b) => (a.conceptUri ?? '').localeCompare(b.conceptUri ?? ''));
  const removable = skills.filter((s) => onlyInHierarchy(dir, s.conceptUri ?? ''));
  for (const skill of removable.slice(0, 2)) removeSkill(dir, skill.conceptUri ?? '', changes);
  const kept = skills.filter((s) => !changes.removed.includes(s.conceptUri ?? ''));
  for (const skill of kept.slice(0, 4)) relabel(skill, 'skill', changes);
  const template = kept[kept.length - 1] as Row;
  const added = NEW_SKILLS.map((label, i) => newSkill(template, label, i));
  changes.added = added.map((s) => s.conceptUri ?? '');
  writeCsv(skillsFile, [...kept, ...added]);

  const occupationsFile = path.join(dir, 'occupations_en.csv');
  const occupations = rows(occupationsFile).sort((a, b) => (a.conceptUri ?? '').localeCompare(b.conceptUri ?? ''));
  for (const occupation of occupations.slice(0, 2)) relabel(occupation, 'occupation', changes);
  writeCsv(occupationsFile, occupations);
  return changes;
}

function relabel(row: Row, type: 'skill' | 'occupation', changes: ReleaseChanges): void {
  const before = text(row.preferredLabel);
  const after = `${before} revised`;
  row.preferredLabel = after;
  changes.relabelled.push({ type, uri: row.conceptUri ?? '', before, after });
}

function newSkill(template: Row, label: string, i: number): Row {
  const uri = `http://data.europa.eu/esco/skill/00000000-0000-4000-8000-00000000000${i + 1}`;
  return { ...template, conceptUri: uri, preferredLabel: label, altLabels: label, hiddenLabels: '', description: '' };
}

/** Whether the skill is named only by the skill hierarchy and the schemes' top concepts (safe to remove). */
function onlyInHierarchy(dir: string, uri: string): boolean {
  const elsewhere = ['occupationSkillRelations.csv', 'skillSkillRelations.csv', 'skillsHierarchy_en.csv'];
  const collections = ['digitalSkillsCollection_en.csv', 'greenSkillsCollection_en.csv'];
  return [...elsewhere, ...collections].every((f) => !readFileSync(path.join(dir, f), 'utf8').includes(uri));
}

/** Drops the skill's rows from the hierarchy and the schemes' lists (the CSV rows are rewritten by the caller). */
function removeSkill(dir: string, uri: string, changes: ReleaseChanges): void {
  const broader = path.join(dir, 'broaderRelationsSkillPillar.csv');
  const lines = readFileSync(broader, 'utf8').split('\n');
  writeFileSync(broader, lines.filter((l) => !l.includes(uri)).join('\n'));
  const schemes = path.join(dir, 'conceptSchemes_en.csv');
  const text = readFileSync(schemes, 'utf8');
  const item = new RegExp(`${uri.replaceAll('.', '\\.')},\\r?\\n`);
  if (!item.test(text)) throw new Error(`${uri} is not an inner item of a top-concept list`);
  writeFileSync(schemes, text.replace(item, ''));
  changes.removed.push(uri);
}

function text(value: string | undefined): string {
  return (value ?? '').replaceAll('\u00a0', ' ').trim();
}

function rows(file: string): Row[] {
  return parse(readFileSync(file), { columns: true, bom: true, relax_column_count: true });
}

/** Every field quoted, quotes doubled, CRLF record ends: what ESCO's own files use. */
function writeCsv(file: string, list: Row[]): void {
  const header = Object.keys(list[0] ?? {});
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const lines = [header.join(','), ...list.map((r) => header.map((h) => quote(r[h] ?? '')).join(','))];
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}
