/**
 * `esco-init inspect`: reads an ESCO dataset without touching Weaviate and says whether it is
 * usable: files found and missing, records and rejected rows per file, dangling references,
 * the fingerprint. `--json` prints InspectReport (schema below, validated before printing).
 */
import path from 'node:path';
import { z } from 'zod';
import { type Config, type ConfigOverrides, loadConfig } from '../config/config.ts';
import { type EscoInitError, isEscoInitError } from '../errors.ts';
import type { DatasetReport, EscoDataset, RejectedRow } from '../esco/dataset.ts';
import { openDataset } from '../esco/open.ts';
import { describeDangling, describeRejection } from '../esco/problems.ts';
import type { Command } from './command.ts';
import { parseFlags } from './flags.ts';

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

const HELP = `Usage: esco-init inspect [--data <path>]... [options]

Reads an ESCO dataset (official zips, a folder of CSVs, or both) without Weaviate and reports
the files found, optional files missing, records and rejected rows per file (file:line),
dangling references and the dataset fingerprint.

Options:
  --data <path>          ESCO zip, folder or CSV file; repeat for several (default: config data.paths)
  --language <code>      language bundle to read (default: config data.language, "en")
  --row-policy <policy>  strict (first bad row fails) or report (skip up to --max-rejected)
  --max-rejected <n>     with --row-policy report: fail above this many rejected rows
  --profile <name>       configuration profile
  --config <file>        configuration file
  --json                 print a JSON report: { usable, language, files: [{ name, kind, source,
                         records, rejected }], missingOptional, ignored, rejected: [{ file, line,
                         column, value, code, reason }], danglingReferences: { total, byFile,
                         examples }, fingerprint, errors: [{ code, message }] }

Exit codes: 0 the dataset is usable, 2 it is not (or bad options).`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const flags = parse(argv);
    const config = loadConfig(configOverrides(flags), io.env);
    const report = await inspect(config.data);
    if (flags.json) io.stdout.write(`${JSON.stringify(InspectReportSchema.parse(report), null, 2)}\n`);
    else io.stdout.write(renderText(report));
    return report.usable ? 0 : 2;
  },
};

function parse(argv: string[]) {
  return parseFlags('inspect', argv, {
    data: { type: 'string', multiple: true },
    language: { type: 'string' },
    'row-policy': { type: 'string' },
    'max-rejected': { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
}

/** Flags override the profile and the environment (loadConfig merges them last). */
function configOverrides(v: ReturnType<typeof parse>): ConfigOverrides {
  return {
    profile: v.profile,
    configFile: v.config,
    data: {
      paths: v.data?.map((p) => path.resolve(p)),
      language: v.language,
      rowPolicy: v['row-policy'],
      maxRejectedRows: v['max-rejected'],
    },
  };
}

/** Never throws for bad data: the report says what is wrong. */
export async function inspect(data: Config['data']): Promise<InspectReport> {
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

function renderText(r: InspectReport): string {
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
