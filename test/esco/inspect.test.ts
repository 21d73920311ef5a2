/**
 * `esco-init inspect` through the CLI dispatcher: exit codes, the text report and the
 * documented --json shape, on the generated sample and on small broken datasets.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InspectReportSchema } from '../../src/esco/inspection.ts';
import { cli } from '../support/cli.ts';
import { baseFiles, csv, ESCO, removeFolders, row, S2, writeFolder } from './fixtures.ts';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/sample');

afterAll(removeFolders);

const badSkills = () =>
  writeFolder({
    ...baseFiles(),
    'skills_en.csv': csv(
      'skills',
      row('skills'),
      row('skills', { conceptUri: S2, skillType: 'talent' }),
      row('skills', { conceptUri: `${ESCO}/skill/s-3`, reuseLevel: 'global' }),
    ),
  });

describe('esco-init inspect', () => {
  it('reports the sample as usable (exit 0) with counts and the fingerprint', async () => {
    const { code, out } = await cli('inspect', '--data', SAMPLE);
    expect(code).toBe(0);
    expect(out).toMatch(/skills_en\.csv\s+50 records\s+0 rejected/);
    expect(out).toContain('Dangling references: 0');
    expect(out).toMatch(/Fingerprint: [0-9a-f]{64}/);
    expect(out).toContain('Result: usable');
  });

  it('--json over bad data: exit 2, the first rejected row with file:line, counts up to the failure', async () => {
    const { code, out } = await cli('inspect', '--data', badSkills(), '--json');
    expect(code).toBe(2);
    const report = InspectReportSchema.parse(JSON.parse(out));
    expect(report.usable).toBe(false);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.code).toBe('DATA_INVALID');
    expect(report.errors[0]?.message).toContain('skills_en.csv:4 skillType="talent"');
    expect(report.rejected).toEqual([
      expect.objectContaining({ file: 'skills_en.csv', line: 4, column: 'skillType', code: 'INVALID_ENUM' }),
    ]);
    expect(report.files.map((f) => [f.name, f.records])).toEqual([
      ['skills_en.csv', 1],
      ['occupations_en.csv', null],
      ['occupationSkillRelations.csv', null],
    ]);
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--row-policy report lists every rejected row and stays usable within --max-rejected', async () => {
    const { code, out } = await cli('inspect', '--data', badSkills(), '--row-policy', 'report', '--max-rejected', '5');
    expect(code).toBe(0);
    expect(out).toContain('Rejected rows: 2');
    expect(out).toContain(
      'skills_en.csv:4 skillType="talent": expected one of knowledge, skill/competence or blank [INVALID_ENUM]',
    );
    expect(out).toContain('skills_en.csv:6 reuseLevel="global"');
    expect(out).toMatch(/skills_en\.csv\s+1 records\s+2 rejected/);
  });

  it('says what is missing, with exit 2, when the data path is wrong', async () => {
    const { code, out } = await cli('inspect', '--data', '/nonexistent/esco', '--json');
    expect(code).toBe(2);
    const report = InspectReportSchema.parse(JSON.parse(out));
    expect(report.errors).toEqual([
      { code: 'DATA_NOT_FOUND', message: expect.stringContaining('/nonexistent/esco does not exist') },
    ]);
    expect(report.files).toEqual([]);
  });

  it('lists missing optional files and reports a missing required one', async () => {
    const onlySkills = writeFolder({ 'skills_en.csv': baseFiles()['skills_en.csv'] as string });
    const { code, out } = await cli('inspect', '--data', onlySkills);
    expect(code).toBe(2);
    expect(out).toContain('Error DATA_FILE_MISSING: required ESCO file occupations_en.csv not found');
    const partial = writeFolder({ ...baseFiles() });
    const ok = await cli('inspect', '--data', partial);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Missing optional files: ISCOGroups_en.csv, skillGroups_en.csv');
  });

  it('rejects unknown options as a usage error (exit 2) and prints help', async () => {
    const bad = await cli('inspect', '--colour');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('USAGE');
    const help = await cli('inspect', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: esco-init inspect');
  });
});
