/**
 * What `esco-init inspect` computes (src/esco/inspection.ts), called directly; the CLI around it
 * is tested in inspect.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InspectReportSchema, inspectDataset, renderInspection } from '../../src/esco/inspection.ts';
import { baseFiles, csv, removeFolders, row, S2, writeFolder } from './fixtures.ts';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/sample');
const data = (paths: string[], change: object = {}) => ({
  paths,
  language: 'en',
  rowPolicy: 'strict' as const,
  maxRejectedRows: 0,
  ...change,
});

afterAll(removeFolders);

describe('inspectDataset', () => {
  it('reports a usable dataset with every file, its source and the fingerprint', async () => {
    const report = InspectReportSchema.parse(await inspectDataset(data([SAMPLE])));
    expect(report).toMatchObject({ usable: true, language: 'en', errors: [], rejected: [] });
    expect(report.files.find((f) => f.name === 'skills_en.csv')).toEqual({
      name: 'skills_en.csv',
      kind: 'skills',
      source: SAMPLE,
      records: 50,
      rejected: 0,
    });
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(renderInspection(report)).toMatch(/^ESCO dataset, language "en"\nFiles:\n(.*\n)*Result: usable\n$/);
  });

  it('turns bad data into the report instead of throwing: the rejected row and the error', async () => {
    const bad = writeFolder({
      ...baseFiles(),
      'skills_en.csv': csv('skills', row('skills'), row('skills', { conceptUri: S2, skillType: 'talent' })),
    });
    const report = await inspectDataset(data([bad]));
    expect(report.usable).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(['DATA_INVALID']);
    expect(report.rejected).toEqual([expect.objectContaining({ file: 'skills_en.csv', column: 'skillType' })]);
    const missing = await inspectDataset(data(['/nonexistent/esco']));
    expect(missing.errors.map((e) => e.code)).toEqual(['DATA_NOT_FOUND']);
    expect(renderInspection(missing)).toMatch(/Error DATA_NOT_FOUND: .*\nResult: NOT usable\n$/);
  });

  it('counts rejected rows within --max-rejected under the report policy and stays usable', async () => {
    const bad = writeFolder({
      ...baseFiles(),
      'skills_en.csv': csv('skills', row('skills'), row('skills', { conceptUri: S2, skillType: 'talent' })),
    });
    const report = await inspectDataset(data([bad], { rowPolicy: 'report', maxRejectedRows: 1 }));
    expect(report.usable).toBe(true);
    expect(report.rejected).toHaveLength(1);
  });
});
