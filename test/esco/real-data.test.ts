/**
 * The reader against the two official ESCO v1.1.1 zips, read as zips (no extraction), checked
 * against the facts in /work/shared/esco/README.md and values read off the raw CSVs; then
 * `inspect --json` over the zips and over the same files unzipped must agree.
 */
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/commands/command.ts';
import { command as inspect } from '../../src/commands/inspect.ts';
import { readCsv } from '../../src/esco/csv.ts';
import type { DatasetReport, EscoDataset } from '../../src/esco/dataset.ts';
import { InspectReportSchema } from '../../src/esco/inspection.ts';
import { openDataset } from '../../src/esco/open.ts';
import type { EscoRecord } from '../../src/esco/records.ts';
import { ROW_SPECS } from '../../src/esco/rows.ts';
import { listZip, openZipEntry } from '../../src/esco/zip.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.resolve(ROOT, '../shared/esco/v1.1.1');
const EN_ZIP = path.join(DIR, 'ESCO dataset - v1.1.1 - classification - en - csv.zip');
const REL_ZIP = path.join(DIR, 'ESCO dataset - v1.1.1 - classification -  - csv.zip');
const present = existsSync(EN_ZIP) && existsSync(REL_ZIP);
if (!present) {
  console.warn(`\n!!!!!!!!!! SKIPPING the ESCO v1.1.1 reader tests: ${DIR} is missing !!!!!!!!!!\n`);
}

const ESCO = 'http://data.europa.eu/esco';

/** /work/shared/esco/README.md, "Record counts". */
const README_COUNTS: Record<string, number> = {
  'skills_en.csv': 13_896,
  'occupations_en.csv': 3_007,
  'ISCOGroups_en.csv': 619,
  'skillGroups_en.csv': 640,
  'skillsHierarchy_en.csv': 647,
  'conceptSchemes_en.csv': 19,
  'digitalSkillsCollection_en.csv': 1_201,
  'greenSkillsCollection_en.csv': 570,
  'languageSkillsCollection_en.csv': 346,
  'transversalSkillsCollection_en.csv': 96,
  'digCompSkillsCollection_en.csv': 26,
  'researchSkillsCollection_en.csv': 40,
  'researchOccupationsCollection_en.csv': 122,
  'occupationSkillRelations.csv': 123_855,
  'broaderRelationsSkillPillar.csv': 20_656,
  'broaderRelationsOccPillar.csv': 3_617,
  'skillSkillRelations.csv': 5_899,
};

/** Records of these URIs (and the first rows of some files) are kept for spot checks. */
const WATCHED = new Set([
  `${ESCO}/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab`,
  `${ESCO}/skill/0238dd62-d407-4a87-ae0c-e08cd7b4ea8d`,
  `${ESCO}/skill/04473991-161d-46db-8684-0d5ed6cb6c66`,
  `${ESCO}/skill/7e5147d1-60b1-4a68-804b-1f5cb0396b91`,
  `${ESCO}/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34`,
  `${ESCO}/isco/C2654`,
  `${ESCO}/isced-f/0613`,
  `${ESCO}/skill/000f1d3d-220f-4789-9c0a-cc742521fb02`,
  `${ESCO}/concept-scheme/member-skills`,
]);

interface Seen {
  handed: Record<string, number>;
  relationTypes: Record<string, number>;
  blankSkillType: number;
  blankReuseLevel: number;
  byUri: Map<string, { record: EscoRecord; line: number; file: string }>;
  firstOf: Map<string, { record: EscoRecord; line: number }>;
  maxAltLabelLines: number;
}

async function scanAll(dataset: EscoDataset): Promise<{ report: DatasetReport; seen: Seen }> {
  const seen: Seen = {
    handed: {},
    relationTypes: {},
    blankSkillType: 0,
    blankReuseLevel: 0,
    byUri: new Map(),
    firstOf: new Map(),
    maxAltLabelLines: 0,
  };
  const watch = (file: string, record: EscoRecord, line: number): void => {
    seen.handed[file] = (seen.handed[file] ?? 0) + 1;
    if (!seen.firstOf.has(file)) seen.firstOf.set(file, { record, line });
    const relation = record.kind === 'broaderRelation' || record.kind === 'occupationSkillRelation';
    const uri = relation
      ? null
      : 'conceptUri' in record
        ? record.conceptUri
        : 'conceptSchemeUri' in record
          ? record.conceptSchemeUri
          : null;
    if (uri && WATCHED.has(uri)) seen.byUri.set(`${file} ${uri}`, { record, line, file });
  };
  const report = await dataset.scan({
    skills: (r, at) => {
      watch(at.file, r, at.line);
      if (r.skillType === null) seen.blankSkillType++;
      if (r.reuseLevel === null) seen.blankReuseLevel++;
    },
    occupations: (r, at) => watch(at.file, r, at.line),
    iscoGroups: (r, at) => watch(at.file, r, at.line),
    skillGroups: (r, at) => watch(at.file, r, at.line),
    conceptSchemes: (r, at) => watch(at.file, r, at.line),
    skillsHierarchy: (r, at) => watch(at.file, r, at.line),
    collection: (r, at) => {
      if (at.file === 'digitalSkillsCollection_en.csv') watch(at.file, r, at.line);
      else seen.handed[at.file] = (seen.handed[at.file] ?? 0) + 1;
    },
    occupationSkillRelations: (r, at) => {
      watch(at.file, r, at.line);
      seen.relationTypes[r.relationType] = (seen.relationTypes[r.relationType] ?? 0) + 1;
    },
    broaderRelationsSkillPillar: (r, at) => watch(at.file, r, at.line),
    broaderRelationsOccPillar: (r, at) => watch(at.file, r, at.line),
    skillSkillRelations: (r, at) => watch(at.file, r, at.line),
  });
  return { report, seen };
}

describe.skipIf(!present)('ESCO v1.1.1 read straight from the official zips', () => {
  let dataset: EscoDataset;
  let report: DatasetReport;
  let seen: Seen;

  beforeAll(async () => {
    dataset = await openDataset([EN_ZIP, REL_ZIP], { language: 'en', policy: 'strict', maxRejected: 0 });
    ({ report, seen } = await scanAll(dataset));
  }, 120_000);

  it('finds all 17 files and misses none', () => {
    expect(dataset.files.map((f) => f.name).sort()).toEqual(Object.keys(README_COUNTS).sort());
    expect(dataset.missingOptional).toEqual([]);
    expect(dataset.files.find((f) => f.name === 'skills_en.csv')?.source).toBe(EN_ZIP);
    expect(dataset.files.find((f) => f.name === 'skillSkillRelations.csv')?.source).toBe(REL_ZIP);
  });

  it('reads exactly the README record counts, rejecting nothing under the strict policy', () => {
    const counts = Object.fromEntries(report.files.map((f) => [f.name, f.records]));
    expect(counts).toEqual(README_COUNTS);
    expect(report.rejected).toEqual([]);
    expect(report.files.every((f) => f.rejected === 0)).toBe(true);
  });

  it('reports the dangling references of the real data and hands everything else over', () => {
    expect(report.danglingReferences.total).toBe(75);
    expect(report.danglingReferences.byFile).toEqual({
      'occupationSkillRelations.csv': 67,
      'broaderRelationsSkillPillar.csv': 7,
      'broaderRelationsOccPillar.csv': 1,
    });
    expect(report.danglingReferences.examples[0]).toEqual({
      file: 'occupationSkillRelations.csv',
      line: 84_425,
      column: 'occupationUri',
      uri: `${ESCO}/occupation/a9e54177-a185-404d-b6e6-15663d31137e`,
    });
    for (const [file, count] of Object.entries(README_COUNTS)) {
      expect(seen.handed[file] ?? 0, file).toBe(count - (report.danglingReferences.byFile[file] ?? 0));
    }
  });

  it('keeps blank skillType and reuseLevel as null (6 and 5 skills)', () => {
    expect(seen.blankSkillType).toBe(6);
    expect(seen.blankReuseLevel).toBe(5);
  });

  it('splits occupationSkillRelations.csv into 64,946 essential and 58,909 optional rows, 5 with blank skillType', async () => {
    // The file itself, dangling rows included: stream the zip entry through the same CSV reader and row schema.
    const spec = ROW_SPECS.occupationSkillRelations;
    const types: Record<string, number> = {};
    let blank = 0;
    let header: string[] | null = null;
    for await (const { fields } of readCsv(await openZipEntry(REL_ZIP, 'occupationSkillRelations.csv'), () => {})) {
      if (!header) {
        header = fields;
        continue;
      }
      const cells = Object.fromEntries(header.map((h, i) => [h, fields[i] ?? '']));
      const record = spec.schema.parse(cells);
      types[record.relationType] = (types[record.relationType] ?? 0) + 1;
      if (record.skillType === null) blank++;
    }
    expect(types).toEqual({ essential: 64_946, optional: 58_909 });
    expect(blank).toBe(5);
    // The handlers got the same split minus the 67 dangling rows.
    expect((seen.relationTypes.essential ?? 0) + (seen.relationTypes.optional ?? 0)).toBe(123_855 - 67);
  });

  it('gives the same fingerprint from fingerprint() as from the scan', async () => {
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await dataset.fingerprint()).toBe(report.fingerprint);
  });

  const get = (uri: string, file: string) => {
    const hit = seen.byUri.get(`${file} ${uri}`);
    if (!hit) throw new Error(`record ${uri} was not handed over`);
    return hit;
  };

  it('spot check 1: skill "manage musical staff" (first record, multi-line altLabels, ",\\n" inScheme)', () => {
    const { record, line } = get(`${ESCO}/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab`, 'skills_en.csv');
    expect(line).toBe(2);
    expect(record).toEqual({
      kind: 'skill',
      conceptUri: `${ESCO}/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab`,
      skillType: 'skill/competence',
      reuseLevel: 'sector-specific',
      preferredLabel: 'manage musical staff',
      altLabels: [
        'manage staff of music',
        'coordinate duties of musical staff',
        'manage music staff',
        'direct musical staff',
      ],
      hiddenLabels: [],
      status: 'released',
      modifiedDate: '2016-12-20T17:43:43.000Z',
      scopeNote: null,
      definition: null,
      inScheme: [`${ESCO}/concept-scheme/skills`, `${ESCO}/concept-scheme/member-skills`],
      description:
        'Assign and manage staff tasks in areas such as scoring, arranging, copying music and vocal coaching.',
    });
  });

  it('spot check 2: U+00A0 and trailing space in a preferredLabel (skill 0238dd62, physical line 804)', () => {
    const { record, line } = get(`${ESCO}/skill/0238dd62-d407-4a87-ae0c-e08cd7b4ea8d`, 'skills_en.csv');
    expect(line).toBe(804);
    expect(record).toMatchObject({
      preferredLabel: 'manage documentation of prior learning assessments',
      altLabels: ['handle documentation of prior learning assessments'],
      modifiedDate: '2020-12-10T10:43:35.175Z',
    });
  });

  it('spot check 3: one-digit fraction date and three schemes (skill 04473991)', () => {
    const { record } = get(`${ESCO}/skill/04473991-161d-46db-8684-0d5ed6cb6c66`, 'skills_en.csv');
    expect(record).toMatchObject({
      preferredLabel: 'manage temporary ICT networks for live performance',
      altLabels: [],
      modifiedDate: '2022-07-05T14:38:14.900Z',
      inScheme: [
        `${ESCO}/concept-scheme/6c930acd-c104-4ece-acf7-f44fd7333036`,
        `${ESCO}/concept-scheme/skills`,
        `${ESCO}/concept-scheme/member-skills`,
      ],
    });
  });

  it('spot check 4: blank skillType/reuseLevel skill (7e5147d1, physical line 57101), preferredLabel dropped from altLabels', () => {
    const { record, line } = get(`${ESCO}/skill/7e5147d1-60b1-4a68-804b-1f5cb0396b91`, 'skills_en.csv');
    expect(line).toBe(57_101);
    expect(record).toMatchObject({
      skillType: null,
      reuseLevel: null,
      preferredLabel: 'problem-solving with digital tools',
      modifiedDate: '2022-07-14T12:54:25.780Z',
    });
    expect(record.kind === 'skill' && record.altLabels).toEqual([
      'resolving issues with ICT tools and hardware',
      'finding solutions with ICT tools and hardware',
      'ICT tools and hardware problem solving',
      'problem-solving with information and communication technologies tools and hardware',
      'problem-solve with ICT tools and hardware',
      'problem-solving with ICT hardware and tools',
    ]);
  });

  it('spot check 5: occupation "technical director"', () => {
    const { record } = get(`${ESCO}/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34`, 'occupations_en.csv');
    expect(record).toMatchObject({
      kind: 'occupation',
      iscoGroup: '2654',
      code: '2654.1.7',
      preferredLabel: 'technical director',
      altLabels: [
        'technical and operations director',
        'head of technical',
        'director of technical arts',
        'head of technical department',
        'technical supervisor',
        'technical manager',
      ],
      regulatedProfessionNote: `${ESCO}/regulated-professions/unregulated`,
      modifiedDate: '2016-07-05T13:58:41.000Z',
      inScheme: [`${ESCO}/concept-scheme/occupations`, `${ESCO}/concept-scheme/member-occupations`],
    });
  });

  it('spot check 6: ISCO group C2654 (non-UUID URI)', () => {
    const { record } = get(`${ESCO}/isco/C2654`, 'ISCOGroups_en.csv');
    expect(record).toMatchObject({
      kind: 'iscoGroup',
      code: '2654',
      preferredLabel: 'Film, stage and related directors and producers',
      altLabels: [],
      inScheme: [`${ESCO}/concept-scheme/isco`, `${ESCO}/concept-scheme/occupations`],
    });
    expect(record.kind === 'iscoGroup' && record.description?.startsWith('Film, stage and related directors')).toBe(
      true,
    );
  });

  it('spot check 7: skill group isced-f/0613 (inScheme split on "\\n", blank code)', () => {
    const { record } = get(`${ESCO}/isced-f/0613`, 'skillGroups_en.csv');
    expect(record).toMatchObject({
      kind: 'skillGroup',
      preferredLabel: 'software and applications development and analysis',
      code: null,
      modifiedDate: '2021-04-06T14:39:29.928Z',
      inScheme: [
        `${ESCO}/concept-scheme/skills`,
        `${ESCO}/concept-scheme/skills-hierarchy`,
        `${ESCO}/concept-scheme/isced-f`,
      ],
    });
  });

  it('spot check 8: digital collection member "Haskell" (" | " lists)', () => {
    const { record } = get(`${ESCO}/skill/000f1d3d-220f-4789-9c0a-cc742521fb02`, 'digitalSkillsCollection_en.csv');
    expect(record).toEqual({
      kind: 'collectionMember',
      collection: 'digitalSkills',
      conceptUri: `${ESCO}/skill/000f1d3d-220f-4789-9c0a-cc742521fb02`,
      conceptType: 'KnowledgeSkillCompetence',
      preferredLabel: 'Haskell',
      broaderConceptUris: [`${ESCO}/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97`, `${ESCO}/isced-f/0613`],
    });
  });

  it('spot check 9: concept scheme "ESCO member skills" with its ~627 KB hasTopConcept field', () => {
    const { record } = get(`${ESCO}/concept-scheme/member-skills`, 'conceptSchemes_en.csv');
    expect(record.kind === 'conceptScheme' && record.preferredLabel).toBe('ESCO member skills');
    expect(record.kind === 'conceptScheme' && record.hasTopConcept.length).toBe(8_836);
  });

  it('spot check 10: first skillsHierarchy row is ragged (11 of 14 fields) and keeps one level', () => {
    const first = seen.firstOf.get('skillsHierarchy_en.csv');
    expect(first?.line).toBe(2);
    expect(first?.record).toEqual({
      kind: 'skillsHierarchy',
      levels: [
        {
          uri: `${ESCO}/skill/e35a5936-091d-4e87-bafe-f264e55bd656`,
          preferredTerm: 'language skills and knowledge',
          code: 'L',
        },
      ],
      description: null,
      scopeNote: null,
    });
  });

  it('spot check 11: first rows of the relation files', () => {
    expect(seen.firstOf.get('occupationSkillRelations.csv')?.record).toEqual({
      kind: 'occupationSkillRelation',
      occupationUri: `${ESCO}/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34`,
      relationType: 'essential',
      skillType: 'knowledge',
      skillUri: `${ESCO}/skill/fed5b267-73fa-461d-9f69-827c78beb39d`,
    });
    expect(seen.firstOf.get('broaderRelationsOccPillar.csv')?.record).toEqual({
      kind: 'broaderRelation',
      pillar: 'occupation',
      conceptType: 'ISCOGroup',
      conceptUri: `${ESCO}/isco/C01`,
      broaderType: 'ISCOGroup',
      broaderUri: `${ESCO}/isco/C0`,
    });
    expect(seen.firstOf.get('broaderRelationsSkillPillar.csv')?.record).toMatchObject({
      pillar: 'skill',
      conceptType: 'SkillGroup',
      conceptUri: `${ESCO}/isced-f/00`,
      broaderUri: `${ESCO}/skill/c46fcb45-5c14-4ffa-abed-5a43f104bb22`,
    });
    expect(seen.firstOf.get('skillSkillRelations.csv')?.record).toEqual({
      kind: 'skillSkillRelation',
      originalSkillUri: `${ESCO}/skill/00064735-8fad-454b-90c7-ed858cc993f2`,
      originalSkillType: 'knowledge',
      relationType: 'optional',
      relatedSkillType: 'knowledge',
      relatedSkillUri: `${ESCO}/skill/d4a0744a-508b-4a5e-97a5-ad1fc7f55e6e`,
    });
  });
});

describe.skipIf(!present)('inspect --json: zips and the same files unzipped agree', () => {
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'esco-unzipped-'));
    for (const zip of [EN_ZIP, REL_ZIP]) {
      for (const member of await listZip(zip)) {
        await pipeline(
          await openZipEntry(zip, member.entryName),
          createWriteStream(path.join(folder, member.entryName)),
        );
      }
    }
  }, 120_000);

  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function runInspect(args: string[]): Promise<{ code: number; json: unknown }> {
    let out = '';
    const sink = (write: (s: string) => void) =>
      new Writable({
        write(chunk, _enc, done) {
          write(String(chunk));
          done();
        },
      });
    const io: CommandIO = {
      stdout: sink((s) => {
        out += s;
      }),
      stderr: sink(() => {}),
      stdinIsTTY: false,
      env: {},
      signal: new AbortController().signal,
    };
    const code = await inspect.run([...args, '--json'], io);
    return { code, json: JSON.parse(out) };
  }

  it('prints identical counts, dangling references and fingerprints', async () => {
    const zipped = await runInspect(['--data', EN_ZIP, '--data', REL_ZIP]);
    const unzipped = await runInspect(['--data', folder]);
    expect(zipped.code).toBe(0);
    expect(unzipped.code).toBe(0);
    const a = InspectReportSchema.parse(zipped.json);
    const b = InspectReportSchema.parse(unzipped.json);
    const counts = (r: typeof a) =>
      r.files.map(({ name, kind, records, rejected }) => ({ name, kind, records, rejected }));
    expect(counts(a)).toEqual(counts(b));
    expect(Object.fromEntries(a.files.map((f) => [f.name, f.records]))).toEqual(README_COUNTS);
    expect(a.danglingReferences).toEqual(b.danglingReferences);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.usable && b.usable).toBe(true);
    expect(a.errors).toEqual([]);
    expect(new Set(a.files.map((f) => f.source))).toEqual(new Set([EN_ZIP, REL_ZIP]));
    expect(new Set(b.files.map((f) => f.source))).toEqual(new Set([folder]));
  }, 120_000);
});
