/**
 * Bad input, one case per row: each asserts the EscoInitError code, the stable row code, and
 * that the message points at file:line (the physical line where the bad record starts).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS } from '../../src/esco/csv.ts';
import { baseFiles, csv, ESCO, G1, HEADERS, O1, outcome, removeFolders, row, S1, S2, writeFolder } from './fixtures.ts';
import { makeZip } from './zip-writer.ts';

interface Case {
  name: string;
  /** Files over the base dataset; null removes a base file. */
  files: Record<string, string | Buffer | null>;
  /** Paths to read, relative to the dataset folder (default: the folder). */
  paths?: string[];
  policy?: 'strict' | 'report';
  maxRejected?: number;
  error: string;
  code: string;
  at: string;
}

const skillsWith = (...rows: string[]) => csv('skills', row('skills'), ...rows);
const badSkill = (values: Record<string, string>) => skillsWith(row('skills', { conceptUri: S2, ...values }));
/** A skills row with raw (unescaped) text in preferredLabel: for quote errors. */
const rawSkill = (label: string) => `KnowledgeSkillCompetence,${S2},knowledge,,${label},,,released,,,,,`;
const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x81, 0x9c, 0x22, 0x0a, 0x2c, 0xc3, 0x28, 0x00, 0x0d, 0x0a, 0x22]);
const zipOfBase = () =>
  makeZip(
    Object.entries(baseFiles()).map(([name, data]) => ({ name: `esco/${name}`, data, method: 'deflate' as const })),
  );

const CASES: Case[] = [
  {
    name: 'unterminated quote',
    files: {
      'skills_en.csv': `${skillsWith(row('skills', { conceptUri: S2 }))}KnowledgeSkillCompetence,"${ESCO}/skill/s-3,knowledge\r\n`,
    },
    error: 'DATA_INVALID',
    code: 'CSV_UNTERMINATED_QUOTE',
    at: 'skills_en.csv:6',
  },
  {
    name: 'quote inside an unquoted field',
    files: { 'skills_en.csv': skillsWith(rawSkill('tend "kelp" well')) },
    error: 'DATA_INVALID',
    code: 'CSV_BAD_QUOTE',
    at: 'skills_en.csv:4',
  },
  {
    name: 'text after a closing quote',
    files: { 'skills_en.csv': skillsWith(rawSkill('"tend" kelp')) },
    error: 'DATA_INVALID',
    code: 'CSV_BAD_QUOTE',
    at: 'skills_en.csv:4',
  },
  {
    name: 'record larger than the field limit (runaway quote)',
    files: { 'skills_en.csv': skillsWith(rawSkill(`"${'x'.repeat(MAX_RECORD_CHARS + 10)}`)) },
    error: 'DATA_INVALID',
    code: 'CSV_RECORD_TOO_LARGE',
    at: 'skills_en.csv:4',
  },
  {
    name: 'missing required column in a concept file',
    files: { 'skills_en.csv': csv('skills', row('skills')).replace(',preferredLabel,', ',label,') },
    error: 'DATA_INVALID',
    code: 'MISSING_COLUMN',
    at: 'skills_en.csv:1 preferredLabel',
  },
  {
    name: 'missing required column in a relation file',
    files: { 'occupationSkillRelations.csv': 'occupationUri,relationType,skillType\r\nx,essential,knowledge\r\n' },
    error: 'DATA_INVALID',
    code: 'MISSING_COLUMN',
    at: 'occupationSkillRelations.csv:1 skillUri',
  },
  {
    name: 'duplicate header column',
    files: {
      'skills_en.csv': csv('skills', row('skills')).replace('conceptType,conceptUri,', 'conceptUri,conceptUri,'),
    },
    error: 'DATA_INVALID',
    code: 'DUPLICATE_COLUMN',
    at: 'skills_en.csv:1 conceptUri',
  },
  {
    name: 'wrong delimiter (semicolons)',
    files: {
      'occupationSkillRelations.csv': `${HEADERS.occupationSkill.replaceAll(',', ';')}\r\n${O1};essential;knowledge;${S1}\r\n`,
    },
    error: 'DATA_INVALID',
    code: 'MISSING_COLUMN',
    at: 'occupationSkillRelations.csv:1 occupationUri',
  },
  {
    name: 'bad skillType',
    files: { 'skills_en.csv': badSkill({ skillType: 'skill' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:4 skillType="skill"',
  },
  {
    name: 'bad reuseLevel',
    files: { 'skills_en.csv': badSkill({ reuseLevel: 'universal' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:4 reuseLevel',
  },
  {
    name: 'bad status',
    files: { 'skills_en.csv': badSkill({ status: 'published' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:4 status',
  },
  {
    name: 'bad conceptType',
    files: { 'skills_en.csv': badSkill({ conceptType: 'Skill' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:4 conceptType',
  },
  {
    name: 'bad relationType',
    files: {
      'occupationSkillRelations.csv': csv(
        'occupationSkill',
        row('occupationSkill'),
        row('occupationSkill', { skillUri: S2, relationType: 'mandatory' }),
      ),
    },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'occupationSkillRelations.csv:3 relationType="mandatory"',
  },
  {
    name: 'blank relationType',
    files: { 'occupationSkillRelations.csv': csv('occupationSkill', row('occupationSkill', { relationType: '' })) },
    error: 'DATA_INVALID',
    code: 'MISSING_VALUE',
    at: 'occupationSkillRelations.csv:2 relationType',
  },
  {
    name: 'bad broaderType',
    files: { 'broaderRelationsSkillPillar.csv': csv('broader', row('broader', { broaderType: 'Group' })) },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'broaderRelationsSkillPillar.csv:2 broaderType',
  },
  {
    name: 'inScheme with the collection separator',
    files: {
      'skills_en.csv': badSkill({ inScheme: `${ESCO}/concept-scheme/skills | ${ESCO}/concept-scheme/member-skills` }),
    },
    error: 'DATA_INVALID',
    code: 'WRONG_SEPARATOR',
    at: 'skills_en.csv:4 inScheme',
  },
  {
    name: 'skillGroups inScheme with ",\\n" (that file uses "\\n")',
    files: {
      'skillGroups_en.csv': csv('skillGroups', row('skillGroups', { inScheme: `${ESCO}/cs/a,\n${ESCO}/cs/b` })),
    },
    error: 'DATA_INVALID',
    code: 'WRONG_SEPARATOR',
    at: 'skillGroups_en.csv:2 inScheme',
  },
  {
    name: 'collection broaderConceptUri separated by newlines',
    files: {
      'greenSkillsCollection_en.csv': csv('collection', row('collection', { broaderConceptUri: `${G1}\n${S2}` })),
    },
    error: 'DATA_INVALID',
    code: 'WRONG_SEPARATOR',
    at: 'greenSkillsCollection_en.csv:2 broaderConceptUri',
  },
  {
    name: 'empty file',
    files: { 'skills_en.csv': '' },
    error: 'DATA_INVALID',
    code: 'EMPTY_FILE',
    at: 'skills_en.csv:1',
  },
  {
    name: 'header only (required file)',
    files: { 'occupations_en.csv': csv('occupations') },
    error: 'DATA_INVALID',
    code: 'NO_RECORDS',
    at: 'occupations_en.csv:1',
  },
  {
    name: 'UTF-16 with its BOM',
    files: { 'skills_en.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(skillsWith(), 'utf16le')]) },
    error: 'DATA_INVALID',
    code: 'UNSUPPORTED_ENCODING',
    at: 'skills_en.csv:1',
  },
  {
    name: 'binary garbage instead of a CSV',
    files: { 'occupations_en.csv': Buffer.concat([garbage, garbage]) },
    error: 'DATA_INVALID',
    code: 'CSV_BAD_QUOTE',
    at: 'occupations_en.csv:1',
  },
  {
    name: 'binary garbage inside a field',
    files: {
      'skills_en.csv': Buffer.concat([
        Buffer.from(`${skillsWith()}KnowledgeSkillCompetence,${S2},knowledge,,`),
        Buffer.from([0xc3, 0x28, 0xff, 0x00]),
        Buffer.from(',,,released,,,,,\r\n'),
      ]),
    },
    error: 'DATA_INVALID',
    code: 'INVALID_TEXT',
    at: 'skills_en.csv:4 preferredLabel',
  },
  {
    name: 'truncated zip',
    files: {
      'skills_en.csv': null,
      'occupations_en.csv': null,
      'occupationSkillRelations.csv': null,
      'bundle.zip': zipOfBase().subarray(0, 300),
    },
    error: 'DATA_INVALID',
    code: 'ZIP_INVALID',
    at: 'bundle.zip: not a readable zip',
  },
  {
    name: 'a .zip that is not a zip',
    files: { 'x.csv': 'a,b\r\n', 'fake.zip': 'conceptType,conceptUri\r\n' },
    error: 'DATA_INVALID',
    code: 'ZIP_INVALID',
    at: 'fake.zip',
  },
  {
    name: 'corrupt compressed data in a zip entry',
    files: {
      'skills_en.csv': null,
      'bundle.zip': (() => {
        const data = `${HEADERS.skills}\r\n${'garbled '.repeat(4000)}`;
        const zip = makeZip([{ name: 'skills_en.csv', data, method: 'deflate' }]);
        zip.fill(0xff, 80, 120); // inside the deflate stream of the only entry
        return zip;
      })(),
    },
    error: 'DATA_INVALID',
    code: 'FILE_UNREADABLE',
    at: 'skills_en.csv',
  },
  {
    name: 'a zip entry that inflates to fewer bytes than its header says',
    files: {
      'skills_en.csv': null,
      'bundle.zip': (() => {
        const data = `${HEADERS.skills}\r\n`;
        return makeZip([{ name: 'skills_en.csv', data, method: 'deflate', declaredSize: data.length + 100 }]);
      })(),
    },
    error: 'DATA_INVALID',
    code: 'FILE_UNREADABLE',
    at: 'skills_en.csv',
  },
  {
    name: 'duplicate conceptUri in skills',
    files: { 'skills_en.csv': badSkill({ conceptUri: S1, preferredLabel: 'tend kelp again' }) },
    error: 'DATA_INVALID',
    code: 'DUPLICATE_URI',
    at: 'skills_en.csv:4 conceptUri',
  },
  {
    name: 'duplicate conceptUri in occupations',
    files: { 'occupations_en.csv': csv('occupations', row('occupations'), row('occupations')) },
    error: 'DATA_INVALID',
    code: 'DUPLICATE_URI',
    at: 'occupations_en.csv:3',
  },
  {
    name: 'relation to an unknown occupation (reported, not rejected)',
    files: {
      'occupationSkillRelations.csv': csv(
        'occupationSkill',
        row('occupationSkill'),
        row('occupationSkill', { occupationUri: `${ESCO}/occupation/gone` }),
      ),
    },
    error: 'none',
    code: 'DANGLING_REFERENCE',
    at: 'occupationSkillRelations.csv:3 occupationUri',
  },
  {
    name: 'broader relation to an unknown skill group (reported, not rejected)',
    files: { 'broaderRelationsSkillPillar.csv': csv('broader', row('broader')) },
    error: 'none',
    code: 'DANGLING_REFERENCE',
    at: 'broaderRelationsSkillPillar.csv:2 broaderUri',
  },
  {
    name: 'too many fields',
    files: { 'skills_en.csv': skillsWith(`${row('skills', { conceptUri: S2 })},extra`) },
    error: 'DATA_INVALID',
    code: 'CSV_FIELD_COUNT',
    at: 'skills_en.csv:4',
  },
  {
    name: 'too few fields outside skillsHierarchy',
    files: { 'occupations_en.csv': csv('occupations', `Occupation,${O1},2511,kelp farmer`) },
    error: 'DATA_INVALID',
    code: 'CSV_FIELD_COUNT',
    at: 'occupations_en.csv:2',
  },
  {
    name: 'skillsHierarchy row wider than its header',
    files: { 'skillsHierarchy_en.csv': csv('hierarchy', `${row('hierarchy')},,x`) },
    error: 'DATA_INVALID',
    code: 'CSV_FIELD_COUNT',
    at: 'skillsHierarchy_en.csv:2',
  },
  {
    name: 'skillsHierarchy level 2 without level 1',
    files: { 'skillsHierarchy_en.csv': csv('hierarchy', row('hierarchy', { 'Level 2 URI': S1 })) },
    error: 'DATA_INVALID',
    code: 'HIERARCHY_GAP',
    at: 'skillsHierarchy_en.csv:2 Level 2 URI',
  },
  {
    name: 'conceptUri that is not a URI',
    files: { 'skills_en.csv': badSkill({ conceptUri: 'skill 42' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_URI',
    at: 'skills_en.csv:4 conceptUri="skill 42"',
  },
  {
    name: 'blank conceptUri',
    files: { 'skills_en.csv': badSkill({ conceptUri: '' }) },
    error: 'DATA_INVALID',
    code: 'MISSING_VALUE',
    at: 'skills_en.csv:4 conceptUri',
  },
  {
    name: 'preferredLabel of only (no-break) spaces',
    files: { 'skills_en.csv': badSkill({ preferredLabel: ' \u00a0 ' }) },
    error: 'DATA_INVALID',
    code: 'MISSING_VALUE',
    at: 'skills_en.csv:4 preferredLabel',
  },
  {
    name: 'impossible date',
    files: { 'skills_en.csv': badSkill({ modifiedDate: '2016-02-30T10:00:00Z' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_DATE',
    at: 'skills_en.csv:4 modifiedDate',
  },
  {
    name: 'non-ISO date',
    files: { 'skills_en.csv': badSkill({ modifiedDate: '20/12/2016' }) },
    error: 'DATA_INVALID',
    code: 'INVALID_DATE',
    at: 'skills_en.csv:4 modifiedDate="20/12/2016"',
  },
  {
    name: 'ISCO code with the URI prefix',
    files: { 'ISCOGroups_en.csv': csv('isco', row('isco', { code: 'C2511' })) },
    error: 'DATA_INVALID',
    code: 'INVALID_VALUE',
    at: 'ISCOGroups_en.csv:2 code',
  },
  {
    name: 'occupation iscoGroup not a code',
    files: { 'occupations_en.csv': csv('occupations', row('occupations', { iscoGroup: 'Analysts' })) },
    error: 'DATA_INVALID',
    code: 'INVALID_VALUE',
    at: 'occupations_en.csv:2 iscoGroup',
  },
  {
    name: 'bad row after a stray CRLF inside a quoted field (physical lines)',
    files: {
      'skills_en.csv': csv(
        'skills',
        row('skills', { altLabels: 'a\r\nb\nc' }),
        row('skills', { conceptUri: S2, skillType: '?' }),
      ),
    },
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:6 skillType',
  },
  {
    name: 'bad row in an LF-only file after multi-line records',
    files: {
      'occupations_en.csv': `${[HEADERS.occupations, row('occupations', { altLabels: 'x\ny\nz' }), row('occupations', { conceptUri: `${ESCO}/occupation/o-2`, code: 'A.1' })].join('\n')}\n`,
    },
    error: 'DATA_INVALID',
    code: 'INVALID_VALUE',
    at: 'occupations_en.csv:5 code',
  },
  {
    name: 'report policy: more rejected rows than allowed',
    files: {
      'skills_en.csv': csv(
        'skills',
        row('skills', { skillType: 'x' }),
        row('skills', { conceptUri: S2, skillType: 'y' }),
      ),
    },
    policy: 'report',
    maxRejected: 1,
    error: 'DATA_INVALID',
    code: 'INVALID_ENUM',
    at: 'skills_en.csv:2 skillType="x"',
  },
  {
    name: 'required file missing',
    files: { 'occupations_en.csv': null },
    error: 'DATA_FILE_MISSING',
    code: 'DATA_FILE_MISSING',
    at: 'occupations_en.csv',
  },
  {
    name: 'folder without ESCO files',
    files: {
      'skills_en.csv': null,
      'occupations_en.csv': null,
      'occupationSkillRelations.csv': null,
      'notes.txt': 'x',
    },
    error: 'DATA_NOT_FOUND',
    code: 'DATA_NOT_FOUND',
    at: 'no ESCO CSV files for language "en"',
  },
  {
    name: 'only another language',
    files: {
      'skills_en.csv': null,
      'occupations_en.csv': null,
      'occupationSkillRelations.csv': null,
      'skills_de.csv': csv('skills', row('skills')),
    },
    error: 'DATA_NOT_FOUND',
    code: 'DATA_NOT_FOUND',
    at: 'ignored: skills_de.csv',
  },
  {
    name: 'path that does not exist',
    files: {},
    paths: ['nowhere/esco.zip'],
    error: 'DATA_NOT_FOUND',
    code: 'DATA_NOT_FOUND',
    at: 'nowhere/esco.zip does not exist',
  },
  {
    name: 'the same file in the folder and in a zip',
    files: { 'bundle.zip': zipOfBase() },
    error: 'DATA_INVALID',
    code: 'DUPLICATE_FILE',
    at: '.csv found twice: in ',
  },
];

afterAll(removeFolders);

describe('malformed ESCO input', () => {
  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('$name → $code at $at', async (c) => {
    const files: Record<string, string | Buffer> = { ...baseFiles() };
    for (const [name, content] of Object.entries(c.files)) {
      if (content === null) delete files[name];
      else files[name] = content;
    }
    const dir = writeFolder(files);
    const paths = (c.paths ?? ['.']).map((p) => path.join(dir, p));
    const result = await outcome(paths, c.policy, c.maxRejected);
    expect({ error: result.error, code: result.code }).toEqual({ error: c.error, code: c.code });
    expect(result.message).toContain(c.at);
  });
});
