/**
 * `esco-init status [--json]`: the dataset's state, the lease and the last runs, read from the
 * Metadata collection (src/commands/status-report.ts). Reads only.
 */
import { INGESTED_COLLECTIONS } from '../ingest/mapping.ts';
import { WeaviateGenerationStore } from '../weaviate/generation-store.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, PROFILE, WEAVIATE_URL } from './flags.ts';
import { readStatusReport, renderStatusReport, StatusReportSchema } from './status-report.ts';

export const command = defineCommand({
  name: 'status',
  usage: 'esco-init status [--json] [--runs <n>] [options]',
  about: `Shows the ingestion state of ESCO in Weaviate: not_started, in_progress, completed or failed,
with the dataset fingerprint, schema version and counts; the generations kept (published, previous,
being built) and the last rollback; the lease (epoch, holder, heartbeat age, progress); and the last
runs (decision, passes with timings, errors).`,
  flags: {
    json: {
      type: 'boolean',
      help: `print StatusReport as JSON: { datasetKey, weaviate, state, status,
        generations: [{ id, fingerprint, createdAt, completedAt, counts, published, building, … }],
        aliases: { state, generation? }, lease: { epoch, condition, holder, releasedReason, heartbeat, progress }, runs: [...] }`,
    },
    runs: {
      type: 'string',
      value: '<n>',
      default: '5',
      integer: true,
      help: 'how many recent runs to show (default 5)',
    },
    url: WEAVIATE_URL,
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  exitCodes: 'Exit codes: 0 shown (whatever the state), 3 Weaviate unreachable.',
  logLevel: 'warn',
  async run({ flags, config, io, withClient }) {
    const report = await withClient((client, log) => {
      const sources = {
        statuses: new WeaviateStatusStore(client),
        leases: new WeaviateLeaseStore(client),
        generations: new WeaviateGenerationStore(client, INGESTED_COLLECTIONS),
        weaviateUrl: config.weaviate.url,
        lock: config.lock,
        log,
      };
      return readStatusReport(sources, Number(flags.runs));
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(StatusReportSchema.parse(report), null, 2)}\n`);
    else io.stdout.write(renderStatusReport(report));
    return 0;
  },
});
