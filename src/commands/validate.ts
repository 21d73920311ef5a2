/**
 * `esco-init validate`: proves that Weaviate holds exactly the dataset (the checks are in
 * src/ingest/validation.ts). Any failed check → exit 1.
 */
import { renderValidation, ValidateReportSchema, validateIngestion } from '../ingest/validation.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, DATA, PROFILE, WEAVIATE_URL } from './flags.ts';

export const command = defineCommand({
  name: 'validate',
  usage: 'esco-init validate [--json] [--data <path>]... [options]',
  about: `Checks that Weaviate holds exactly the dataset: status completed for this dataset fingerprint and
schema version; object and reference counts from the dataset equal the stored and the recorded
ones; every stored object and reference list matches the dataset; dangling relation rows are the
ones reported; sample queries (by URI, keyword search, reference traversal) answer.`,
  flags: {
    data: { ...DATA, help: 'the dataset to compare with; repeat for several (default: config data.paths)' },
    json: { type: 'boolean', help: 'print { ok, checks: [{ name, ok, detail }] }' },
    url: WEAVIATE_URL,
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  exitCodes: `Exit codes: 0 every check passed, 1 a check failed, 2 the dataset cannot be read, 3 Weaviate
unreachable.`,
  logLevel: 'warn',
  async run({ flags, config, io, withClient }) {
    const report = await withClient((client, log) => validateIngestion(client, config, log, io.signal));
    if (flags.json) io.stdout.write(`${JSON.stringify(ValidateReportSchema.parse(report), null, 2)}\n`);
    else io.stdout.write(renderValidation(report));
    return report.ok ? 0 : 1;
  },
});
