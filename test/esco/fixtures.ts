/**
 * Tiny ESCO-format datasets for reader tests: the v1.1.1 headers, row builders with valid
 * defaults, and a temp-folder writer. Rows are one physical line unless a value holds a newline.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EscoInitError } from '../../src/errors.ts';
import type { DatasetReport, RejectedRow } from '../../src/esco/dataset.ts';
import { openDataset } from '../../src/esco/open.ts';
import { describeDangling } from '../../src/esco/problems.ts';

export const ESCO = 'http://data.europa.eu/esco';
export const S1 = `${ESCO}/skill/s-1`;
export const S2 = `${ESCO}/skill/s-2`;
export const O1 = `${ESCO}/occupation/o-1`;
export const G1 = `${ESCO}/isced-f/0613`;
export const C1 = `${ESCO}/isco/C2511`;

export const HEADERS = {
  skills:
    'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description',
  occupations:
    'conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code',
  isco: 'conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,description',
  skillGroups:
    'conceptType,conceptUri,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,inScheme,description,code',
  hierarchy:
    'Level 0 URI,Level 0 preferred term,Level 1 URI,Level 1 preferred term,Level 2 URI,Level 2 preferred term,Level 3 URI,Level 3 preferred term,Description,Scope note,Level 0 code,Level 1 code,Level 2 code,Level 3 code',
  collection:
    'conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description,broaderConceptUri,broaderConceptPT',
  occupationSkill: 'occupationUri,relationType,skillType,skillUri',
  broader: 'conceptType,conceptUri,broaderType,broaderUri',
} as const;

type Header = keyof typeof HEADERS;

const DEFAULTS: Record<Header, Record<string, string>> = {
  skills: {
    conceptType: 'KnowledgeSkillCompetence',
    conceptUri: S1,
    skillType: 'knowledge',
    reuseLevel: 'sector-specific',
    preferredLabel: 'tend kelp',
    status: 'released',
    modifiedDate: '2016-12-20T17:43:43Z',
    inScheme: `${ESCO}/concept-scheme/skills,\n${ESCO}/concept-scheme/member-skills`,
  },
  occupations: {
    conceptType: 'Occupation',
    conceptUri: O1,
    iscoGroup: '2511',
    preferredLabel: 'kelp farmer',
    status: 'released',
    code: '2511.1',
  },
  isco: { conceptType: 'ISCOGroup', conceptUri: C1, code: '2511', preferredLabel: 'Analysts', status: 'released' },
  skillGroups: { conceptType: 'SkillGroup', conceptUri: G1, preferredLabel: 'pattern craft', status: 'released' },
  hierarchy: { 'Level 0 URI': G1, 'Level 0 preferred term': 'pattern craft', 'Level 0 code': 'K' },
  collection: {
    conceptType: 'KnowledgeSkillCompetence',
    conceptUri: S1,
    preferredLabel: 'tend kelp',
    status: 'released',
    skillType: 'knowledge',
    broaderConceptUri: G1,
  },
  occupationSkill: { occupationUri: O1, relationType: 'essential', skillType: 'knowledge', skillUri: S1 },
  broader: { conceptType: 'KnowledgeSkillCompetence', conceptUri: S1, broaderType: 'SkillGroup', broaderUri: G1 },
};

export function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV row of `kind` with valid defaults, `values` overriding them. */
export function row(kind: Header, values: Record<string, string> = {}): string {
  const merged = { ...DEFAULTS[kind], ...values };
  return HEADERS[kind]
    .split(',')
    .map((column) => cell(merged[column] ?? ''))
    .join(',');
}

/** A whole file: header + rows, CRLF record ends like v1.1.1. */
export function csv(kind: Header, ...rows: string[]): string {
  return [HEADERS[kind], ...rows].map((line) => `${line}\r\n`).join('');
}

/** The smallest valid dataset: two skills, one occupation, one relation. */
export function baseFiles(): Record<string, string | Buffer> {
  return {
    'skills_en.csv': csv('skills', row('skills'), row('skills', { conceptUri: S2, preferredLabel: 'dry kelp' })),
    'occupations_en.csv': csv('occupations', row('occupations')),
    'occupationSkillRelations.csv': csv('occupationSkill', row('occupationSkill')),
  };
}

const roots: string[] = [];

export function writeFolder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'esco-reader-'));
  roots.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export function removeFolders(): void {
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Outcome {
  /** EscoInitError code, or "none" when the scan succeeded. */
  error: string;
  /** First rejected row's code, the error code for file-level failures, DANGLING_REFERENCE, or OK. */
  code: string;
  message: string;
  rejected: RejectedRow[];
  report: DatasetReport | null;
}

/** Reads a dataset and says what happened first. */
export async function outcome(
  paths: string[],
  policy: 'strict' | 'report' = 'strict',
  maxRejected = 0,
): Promise<Outcome> {
  try {
    const dataset = await openDataset(paths, { language: 'en', policy, maxRejected });
    const report = await dataset.scan({});
    const dangling = report.danglingReferences.examples[0];
    if (dangling)
      return { error: 'none', code: 'DANGLING_REFERENCE', message: describeDangling(dangling), rejected: [], report };
    return { error: 'none', code: 'OK', message: '', rejected: report.rejected, report };
  } catch (error) {
    if (!(error instanceof EscoInitError)) throw error;
    const rejected = (error.details as { rejected?: RejectedRow[] } | undefined)?.rejected ?? [];
    return { error: error.code, code: rejected[0]?.code ?? error.code, message: error.message, rejected, report: null };
  }
}
