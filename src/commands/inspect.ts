/**
 * `esco-init inspect`: says whether an ESCO dataset is usable, without touching Weaviate
 * (src/esco/inspection.ts). `--json` prints InspectReport, validated before printing.
 */
import { InspectReportSchema, inspectDataset, renderInspection } from '../esco/inspection.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, DATA, LANGUAGE, PROFILE, settingFlag } from './flags.ts';

export const command = defineCommand({
  name: 'inspect',
  usage: 'esco-init inspect [--data <path>]... [options]',
  about: `Reads an ESCO dataset (official zips, a folder of CSVs, or both) without Weaviate and reports
the files found, optional files missing, records and rejected rows per file (file:line),
dangling references and the dataset fingerprint.`,
  flags: {
    data: DATA,
    language: LANGUAGE,
    'row-policy': settingFlag('data.rowPolicy'),
    'max-rejected': settingFlag('data.maxRejectedRows'),
    profile: PROFILE,
    config: CONFIG_FILE,
    json: {
      type: 'boolean',
      help: `print a JSON report: { usable, language, files: [{ name, kind, source, records, rejected }],
        missingOptional, ignored, rejected: [{ file, line, column, value, code, reason }],
        danglingReferences: { total, byFile, examples }, fingerprint, errors: [{ code, message }] }`,
    },
  },
  exitCodes: 'Exit codes: 0 the dataset is usable, 2 it is not (or bad options).',
  async run({ flags, config, io }) {
    const report = await inspectDataset(config.data);
    if (flags.json) io.stdout.write(`${JSON.stringify(InspectReportSchema.parse(report), null, 2)}\n`);
    else io.stdout.write(renderInspection(report));
    return report.usable ? 0 : 2;
  },
});
