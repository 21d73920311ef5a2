/**
 * The reader on the project's generated sample (data/sample) and on small hand-made datasets:
 * clean records, discovery variants (zips, folders, v1.2-style names, other languages), the
 * report policy, fingerprints, handler ordering.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import type { ReadOptions, RecordLocation } from '../../src/esco/dataset.ts';
import { parseDateTime, splitList } from '../../src/esco/fields.ts';
import { openDataset } from '../../src/esco/open.ts';
import type { EscoRecord, SkillRecord } from '../../src/esco/records.ts';
import { UriSet } from '../../src/esco/uri-set.ts';
import { baseFiles, csv, ESCO, G1, O1, outcome, removeFolders, row, S1, S2, writeFolder } from './fixtures.ts';
import { makeZip } from './zip-writer.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLE = path.join(ROOT, 'data/sample');
const STRICT: ReadOptions = { language: 'en', policy: 'strict', maxRejected: 0 };

afterAll(removeFolders);

async function collect(paths: string[], options = STRICT) {
  const records: { record: EscoRecord; at: RecordLocation }[] = [];
  const dataset = await openDataset(paths, options);
  const push = (record: EscoRecord, at: RecordLocation) => {
    records.push({ record, at });
  };
  const report = await dataset.scan({
    skills: push,
    occupations: push,
    iscoGroups: push,
    skillGroups: push,
    conceptSchemes: push,
    collection: push,
    skillsHierarchy: push,
    occupationSkillRelations: push,
    broaderRelationsSkillPillar: push,
    broaderRelationsOccPillar: push,
    skillSkillRelations: push,
  });
  return { dataset, report, records };
}

describe('the generated sample dataset (data/sample)', () => {
  it('is what scripts/generate-sample.ts writes, byte for byte (deterministic and up to date)', () => {
    const dir = writeFolder({});
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/generate-sample.ts'), dir], { stdio: 'pipe' });
    const names = readdirSync(SAMPLE)
      .filter((n) => n.endsWith('.csv'))
      .sort();
    expect(readdirSync(dir).sort()).toEqual(names);
    for (const name of names)
      expect(readFileSync(path.join(dir, name)), name).toEqual(readFileSync(path.join(SAMPLE, name)));
  });

  it('reads cleanly: no rejected rows, no dangling references, every file found', async () => {
    const { dataset, report, records } = await collect([SAMPLE]);
    expect(dataset.missingOptional).toEqual([]);
    expect(report.rejected).toEqual([]);
    expect(report.danglingReferences.total).toBe(0);
    const counts = Object.fromEntries(report.files.map((f) => [f.name, f.records]));
    expect(counts['skills_en.csv']).toBe(50);
    expect(counts['occupations_en.csv']).toBe(15);
    expect(records.filter((r) => r.record.kind === 'skill')).toHaveLength(50);
    const types = records.flatMap((r) => (r.record.kind === 'skill' ? [r.record.skillType] : []));
    expect(new Set(types)).toEqual(new Set(['knowledge', 'skill/competence', null]));
    expect(types.filter((t) => t === null)).toHaveLength(1);
    const relationTypes = new Set(
      records.flatMap((r) => (r.record.kind === 'occupationSkillRelation' ? [r.record.relationType] : [])),
    );
    expect(relationTypes).toEqual(new Set(['essential', 'optional']));
    expect(records.some((r) => r.record.kind === 'iscoGroup' && r.record.conceptUri === `${ESCO}/isco/C2511`)).toBe(
      true,
    );
    expect(records.some((r) => r.record.kind === 'skillGroup' && r.record.conceptUri === `${ESCO}/isced-f/0613`)).toBe(
      true,
    );
    expect(
      new Set(records.flatMap((r) => (r.record.kind === 'collectionMember' ? [r.record.collection] : []))),
    ).toEqual(new Set(['greenSkills', 'digitalSkills', 'researchOccupations']));
  });

  it('cleans the planted hazards: NBSP, padding, "" escapes, commas, repeated and duplicate alt labels', async () => {
    const { records } = await collect([SAMPLE]);
    const skills = records.flatMap((r) => (r.record.kind === 'skill' ? [r.record] : []));
    const byLabel = (label: string) => skills.find((s) => s.preferredLabel === label) as SkillRecord;
    expect(byLabel('tune clock escapements').altLabels).toEqual(['adjust clock escapements']);
    expect(byLabel('monitor tidal sensor buoys').altLabels).toEqual(['watch buoys']);
    expect(byLabel('apply "lean" methods to cider presses').altLabels).toEqual(['use "lean" on cider presses']);
    expect(byLabel('plan, sow and harvest kelp lines').altLabels).toEqual([
      'sow kelp',
      'harvest kelp, dry it and bale it',
    ]);
    expect(skills.find((s) => s.altLabels.includes('duplicate label'))?.altLabels).toEqual(['duplicate label']);
    for (const s of skills) {
      expect(s.altLabels).not.toContain(s.preferredLabel);
      expect(s.preferredLabel).not.toMatch(/\u00a0|^\s|\s$/);
      expect(s.description ?? '').not.toContain('\u00a0');
      expect(s.modifiedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const ragged = records.flatMap((r) => (r.record.kind === 'skillsHierarchy' ? [r.record] : []));
    expect(ragged.map((h) => h.levels.length).sort()).toEqual([1, 1, 2, 2, 2, 3, 3, 4]);
  });

  it('reports the physical line each record starts on (CRLF records, LF inside fields)', async () => {
    const { records } = await collect([SAMPLE]);
    const raw = readFileSync(path.join(SAMPLE, 'skills_en.csv'), 'utf8');
    for (const { record, at } of records.filter((r) => r.record.kind === 'skill')) {
      const start = raw.indexOf(`\r\nKnowledgeSkillCompetence,${(record as SkillRecord).conceptUri},`) + 2;
      expect(at.line).toBe(raw.slice(0, start).split('\n').length);
    }
  });
});

describe('dataset discovery', () => {
  const enBundle = (extra: Record<string, string> = {}) =>
    makeZip(
      Object.entries({ ...baseFiles(), ...extra })
        .filter(([name]) => name.endsWith('_en.csv'))
        .map(([name, data]) => ({ name, data })),
    );

  it('reads a v1.1.x pair of zips, a v1.2.x single zip with _en relation files, and a folder alike', async () => {
    const relations = baseFiles()['occupationSkillRelations.csv'] as string;
    const v11 = writeFolder({
      'en.zip': enBundle(),
      'rel.zip': makeZip([{ name: 'occupationSkillRelations.csv', data: relations }]),
    });
    const v12 = writeFolder({ 'all.zip': enBundle({ 'occupationSkillRelations_en.csv': relations }) });
    const a = await collect([path.join(v11, 'en.zip'), path.join(v11, 'rel.zip')]);
    const b = await collect([v12]);
    const c = await collect([writeFolder(baseFiles())]);
    for (const r of [a, b, c]) {
      expect(r.report.files.map((f) => [f.kind, f.records])).toEqual([
        ['skills', 2],
        ['occupations', 1],
        ['occupationSkillRelations', 1],
      ]);
    }
    expect(b.dataset.files.map((f) => f.name)).toContain('occupationSkillRelations_en.csv');
    expect(a.report.fingerprint).toBe(c.report.fingerprint);
  });

  it('finds files in zip subfolders and in nested folders, lists missing optional and ignored files', async () => {
    const dir = writeFolder({
      'deep/bundle.zip': makeZip([
        { name: 'csv/skills_en.csv', data: baseFiles()['skills_en.csv'] as string },
        { name: 'csv/skills_de.csv', data: baseFiles()['skills_en.csv'] as string },
      ]),
      'other/occupations_en.csv': baseFiles()['occupations_en.csv'] as string,
      'README.txt': 'not data',
    });
    const dataset = await openDataset([dir], STRICT);
    expect(dataset.files.map((f) => f.name)).toEqual(['skills_en.csv', 'occupations_en.csv']);
    expect(dataset.missingOptional).toEqual([
      'ISCOGroups_en.csv',
      'skillGroups_en.csv',
      'conceptSchemes_en.csv',
      'skillsHierarchy_en.csv',
      'occupationSkillRelations.csv',
      'broaderRelationsSkillPillar.csv',
      'broaderRelationsOccPillar.csv',
      'skillSkillRelations.csv',
      '*Collection_en.csv',
    ]);
    expect(dataset.ignored).toEqual([path.join(dir, 'deep/bundle.zip', 'skills_de.csv')]);
  });

  it('reads another language when asked', async () => {
    const dir = writeFolder({
      'skills_de.csv': csv('skills', row('skills', { preferredLabel: 'Seetang pflegen' })),
      'occupations_de.csv': csv('occupations', row('occupations')),
    });
    const { records } = await collect([dir], { ...STRICT, language: 'de' });
    expect(records.map((r) => (r.record.kind === 'skill' ? r.record.preferredLabel : r.record.kind))).toEqual([
      'Seetang pflegen',
      'occupation',
    ]);
  });

  it('accepts a UTF-8 BOM and LF-only record ends', async () => {
    const lfOnly = (baseFiles()['occupations_en.csv'] as string).replaceAll('\r\n', '\n');
    const dir = writeFolder({
      ...baseFiles(),
      'skills_en.csv': `\ufeff${baseFiles()['skills_en.csv']}`,
      'occupations_en.csv': lfOnly,
    });
    const result = await outcome([dir]);
    expect(result.code).toBe('OK');
  });
});

describe('row policy, dangling references, fingerprint, handlers', () => {
  it('report policy skips bad rows, lists them with file:line, and counts them per file', async () => {
    const dir = writeFolder({
      ...baseFiles(),
      'skills_en.csv': csv(
        'skills',
        row('skills'),
        row('skills', { conceptUri: S2, skillType: 'talent' }),
        row('skills', { conceptUri: `${ESCO}/skill/s-3`, preferredLabel: '' }),
      ),
    });
    const { report, records } = await collect([dir], { language: 'en', policy: 'report', maxRejected: 2 });
    expect(report.rejected.map((r) => [r.file, r.line, r.column, r.code])).toEqual([
      ['skills_en.csv', 4, 'skillType', 'INVALID_ENUM'],
      ['skills_en.csv', 6, 'preferredLabel', 'MISSING_VALUE'],
    ]);
    expect(report.files.find((f) => f.name === 'skills_en.csv')).toMatchObject({ records: 1, rejected: 2 });
    expect(records.filter((r) => r.record.kind === 'skill')).toHaveLength(1);
  });

  it('strict policy does not fail on dangling references; they are counted and not handed over', async () => {
    const dir = writeFolder({
      ...baseFiles(),
      'skillGroups_en.csv': csv('skillGroups', row('skillGroups')),
      'broaderRelationsSkillPillar.csv': csv(
        'broader',
        row('broader'),
        row('broader', { broaderUri: `${ESCO}/isced-f/99` }),
        row('broader', { conceptUri: `${ESCO}/skill/gone`, broaderUri: `${ESCO}/isced-f/98` }),
      ),
    });
    const { report, records } = await collect([dir]);
    expect(report.danglingReferences).toEqual({
      total: 2,
      byFile: { 'broaderRelationsSkillPillar.csv': 2 },
      examples: [
        { file: 'broaderRelationsSkillPillar.csv', line: 3, column: 'broaderUri', uri: `${ESCO}/isced-f/99` },
        { file: 'broaderRelationsSkillPillar.csv', line: 4, column: 'conceptUri', uri: `${ESCO}/skill/gone` },
      ],
    });
    expect(report.files.find((f) => f.kind === 'broaderRelationsSkillPillar')?.records).toBe(3);
    expect(records.filter((r) => r.record.kind === 'broaderRelation').map((r) => r.at.line)).toEqual([2]);
  });

  it('fingerprint: equal for equal bytes, different when one byte changes, and equal to the scan', async () => {
    const a = await openDataset([writeFolder(baseFiles())], STRICT);
    const b = await openDataset([writeFolder(baseFiles())], STRICT);
    const changed = {
      ...baseFiles(),
      'skills_en.csv': (baseFiles()['skills_en.csv'] as string).replace('tend kelp', 'tend kelq'),
    };
    const c = await openDataset([writeFolder(changed)], STRICT);
    const fa = await a.fingerprint();
    expect(await b.fingerprint()).toBe(fa);
    expect(await c.fingerprint()).not.toBe(fa);
    expect((await a.scan({})).fingerprint).toBe(fa);
  });

  it('awaits async handlers in file order, concepts before relations', async () => {
    const order: string[] = [];
    const slow = (name: string) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(name);
    };
    const dataset = await openDataset([writeFolder(baseFiles())], STRICT);
    await dataset.scan({
      occupationSkillRelations: slow('relation'),
      skills: slow('skill'),
      occupations: slow('occupation'),
    });
    expect(order).toEqual(['skill', 'skill', 'occupation', 'relation']);
  });

  it('lets a handler failure through unchanged', async () => {
    const dataset = await openDataset([writeFolder(baseFiles())], STRICT);
    const boom = new Error('sink down');
    await expect(
      dataset.scan({
        occupations: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  it('passes a concept whose relation ends are known, and names the relation ends', async () => {
    const { records } = await collect([writeFolder(baseFiles())]);
    expect(records.at(-1)).toEqual({
      record: {
        kind: 'occupationSkillRelation',
        occupationUri: O1,
        relationType: 'essential',
        skillType: 'knowledge',
        skillUri: S1,
      },
      at: { file: 'occupationSkillRelations.csv', line: 2 },
    });
  });
});

describe('UriSet (the concept index)', () => {
  const uuid = (i: number) =>
    `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;

  it('adds, finds and refuses duplicates across 200,000 UUID URIs', () => {
    const set = new UriSet();
    for (let i = 0; i < 200_000; i++) expect(set.add(`${ESCO}/skill/${uuid(i)}`)).toBe(true);
    expect(set.size).toBe(200_000);
    expect(set.add(`${ESCO}/skill/${uuid(123_456)}`)).toBe(false);
    expect(set.has(`${ESCO}/skill/${uuid(199_999)}`)).toBe(true);
    expect(set.has(`${ESCO}/skill/${uuid(200_000)}`)).toBe(false);
  });

  it('tells URIs apart by every character, whatever their form', () => {
    const set = new UriSet();
    const zero = '00000000-0000-0000-0000-000000000000';
    expect(set.add(`${ESCO}/skill/${zero}`)).toBe(true);
    expect(set.add(`${ESCO}/skill/${zero}`)).toBe(false);
    expect(set.has(`${ESCO}/occupation/${zero}`)).toBe(false);
    expect(set.add(`${ESCO}/isco/C2511`)).toBe(true);
    expect(set.add(`${ESCO}/isco/C2511`)).toBe(false);
    expect(set.has(`${ESCO}/isco/C251`)).toBe(false);
    expect(set.has(`${ESCO}/skill/${zero.toUpperCase()}X`)).toBe(false);
    expect(set.size).toBe(2);
  });
});

describe('field parsing', () => {
  it.each([
    ['2016-12-20T17:43:43Z', '2016-12-20T17:43:43.000Z'],
    ['2022-07-05T14:38:14.9Z', '2022-07-05T14:38:14.900Z'],
    ['2021-12-08T20:22:11.25Z', '2021-12-08T20:22:11.250Z'],
    ['2020-12-10T10:43:35.175Z', '2020-12-10T10:43:35.175Z'],
    ['2020-12-10T10:43:35.123456789Z', '2020-12-10T10:43:35.123Z'],
    ['2020-12-10T10:43:35+02:00', '2020-12-10T08:43:35.000Z'],
    ['2020-12-10T10:43:35', '2020-12-10T10:43:35.000Z'],
    ['2016-02-29T00:00:00Z', '2016-02-29T00:00:00.000Z'],
    ['2015-02-29T00:00:00Z', null],
    ['2016-12-20T24:00:00Z', null],
    ['2016-12-20', null],
  ])('parseDateTime(%s) → %s', (input, expected) => {
    expect(parseDateTime(input)).toBe(expected);
  });

  it('splits lists with the given separator, cleaning, de-duplicating and dropping blanks', () => {
    expect(splitList('a\r\n b \n\na\n\u00a0c\u00a0', { split: /\r?\n/, name: 'newline' })).toEqual(['a', 'b', 'c']);
    expect(splitList(`${S1},\n${S2},\r\n${S1}`, { split: /,\r?\n/, name: 'comma newline' })).toEqual([S1, S2]);
    expect(splitList(`${S1} | ${G1}`, { split: / \| /, name: 'pipe' })).toEqual([S1, G1]);
    expect(splitList('', { split: /\n/, name: 'newline' })).toEqual([]);
  });

  it('names the EscoInitError of bad data DATA_INVALID (exit code 2)', async () => {
    const dir = writeFolder({ ...baseFiles(), 'skills_en.csv': csv('skills', row('skills', { skillType: 'x' })) });
    const error = await openDataset([dir], STRICT)
      .then((d) => d.scan({}))
      .catch((e: unknown) => e);
    expect(isEscoInitError(error, 'DATA_INVALID') && error.exitCode).toBe(2);
  });
});
