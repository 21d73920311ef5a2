/**
 * What `esco-init inspect` finds in an ESCO dataset without Weaviate: files found and missing,
 * records and rejected rows per file, dangling references, the fingerprint, and whether the
 * dataset is usable. InspectReportSchema is the documented `inspect --json` output.
 */
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { type EscoInitError, isEscoInitError } from '../errors.ts';
import type { DatasetReport, EscoDataset, RejectedRow } from './dataset.ts';
import { openDataset } from './open.ts';
import { describeDangling, describeRejection } from './problems.ts';

const RejectedRowSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  code: z.string(),
  reason: z.string(),
});

/** The documented `inspect --json` output. */
export const InspectReportSchema = z.object({
  /** true: the dataset can be ingested (exit 0); false: exit 2. */
  usable: z.boolean(),
  language: z.string(),
  /** `records` is null for files the scan did not reach. */
  files: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      source: z.string(),
      records: z.number().int().nullable(),
      rejected: z.number().int(),
    }),
  ),
  missingOptional: z.array(z.string()),
  ignored: z.array(z.string()),
  rejected: z.array(RejectedRowSchema),
  danglingReferences: z.object({
    total: z.number().int(),
    byFile: z.record(z.string(), z.number().int()),
    examples: z.array(z.object({ file: z.string(), line: z.number().int(), column: z.string(), uri: z.string() })),
  }),
  /** null when the files could not be read at all. */
  fingerprint: z.string().nullable(),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type InspectReport = z.infer<typeof InspectReportSchema>;

/** Never throws for bad data: the report says what is wrong. */
export async function inspectDataset(data: Config['data']): Promise<InspectReport> {
  const options = { language: data.language, policy: data.rowPolicy, maxRejected: data.maxRejectedRows };
  let dataset: EscoDataset;
  try {
    dataset = await openDataset(data.paths, options);
  } catch (error) {
    return { ...emptyReport(data.language), errors: [asDataError(error)] };
  }
  const fingerprint = await dataset.fingerprint().catch(() => null);
  try {
    return fromScan(dataset, await dataset.scan({}), fingerprint);
  } catch (error) {
    const failure = asDataError(error);
    const details = (error as EscoInitError).details as { rejected?: RejectedRow[]; files?: DatasetReport['files'] };
    const reached = new Map((details?.files ?? []).map((f) => [f.name, f]));
    return {
      ...emptyReport(data.language),
      files: dataset.files.map((f) => ({
        name: f.name,
        kind: f.kind,
        source: f.source,
        records: reached.get(f.name)?.records ?? null,
        rejected: reached.get(f.name)?.rejected ?? 0,
      })),
      missingOptional: [...dataset.missingOptional],
      ignored: [...(dataset.ignored ?? [])],
      rejected: details?.rejected ?? [],
      fingerprint,
      errors: [failure],
    };
  }
}

function fromScan(dataset: EscoDataset, report: DatasetReport, fingerprint: string | null): InspectReport {
  const errors =
    fingerprint === report.fingerprint
      ? []
      : [{ code: 'DATA_INVALID', message: 'the files changed while they were read; run inspect again' }];
  return {
    usable: errors.length === 0,
    language: dataset.language,
    files: report.files.map((f) => ({ ...f, source: dataset.files.find((d) => d.name === f.name)?.source ?? '' })),
    missingOptional: report.missingOptional,
    ignored: [...(dataset.ignored ?? [])],
    rejected: report.rejected,
    danglingReferences: report.danglingReferences,
    fingerprint: report.fingerprint,
    errors,
  };
}

function emptyReport(language: string): InspectReport {
  return {
    usable: false,
    language,
    files: [],
    missingOptional: [],
    ignored: [],
    rejected: [],
    danglingReferences: { total: 0, byFile: {}, examples: [] },
    fingerprint: null,
    errors: [],
  };
}

/** Data problems become part of the report; anything else is a real failure and propagates. */
function asDataError(error: unknown): { code: string; message: string } {
  if (
    isEscoInitError(error, 'DATA_INVALID') ||
    isEscoInitError(error, 'DATA_NOT_FOUND') ||
    isEscoInitError(error, 'DATA_FILE_MISSING')
  ) {
    return { code: error.code, message: error.message };
  }
  throw error;
}

const EXAMPLES = 10;

/** The report as text, for a person. */
export function renderInspection(r: InspectReport): string {
  const lines = [`ESCO dataset, language "${r.language}"`];
  if (r.files.length > 0) {
    const width = Math.max(...r.files.map((f) => f.name.length));
    lines.push('Files:');
    for (const f of r.files) {
      const records = f.records === null ? 'not read' : `${f.records.toLocaleString('en')} records`;
      lines.push(`  ${f.name.padEnd(width)}  ${records.padStart(16)}  ${f.rejected} rejected  (${f.source})`);
    }
  }
  lines.push(`Missing optional files: ${r.missingOptional.join(', ') || 'none'}`);
  if (r.ignored.length > 0) lines.push(`Ignored files: ${r.ignored.join(', ')}`);
  const d = r.danglingReferences;
  const byFile = Object.entries(d.byFile).map(([file, n]) => `${file} ${n}`);
  lines.push(`Dangling references: ${d.total}${byFile.length ? ` (${byFile.join(', ')}; not ingested)` : ''}`);
  for (const ref of d.examples.slice(0, EXAMPLES)) lines.push(`  ${describeDangling(ref)}`);
  if (d.total > EXAMPLES) lines.push(`  … ${d.total - EXAMPLES} more (--json lists up to ${d.examples.length})`);
  lines.push(`Rejected rows: ${r.rejected.length}`);
  for (const row of r.rejected) lines.push(`  ${describeRejection(row)}`);
  lines.push(`Fingerprint: ${r.fingerprint ?? 'n/a'}`);
  for (const e of r.errors) lines.push(`Error ${e.code}: ${e.message}`);
  lines.push(r.usable ? 'Result: usable' : 'Result: NOT usable');
  return `${lines.join('\n')}\n`;
}
