/**
 * `esco-init ingest`: one ingestion run without the lock and status machinery of `init`:
 * ensure the schema, write what is new or changed, delete what is gone, verify, and print
 * per-collection counts. Running it twice writes nothing the second time.
 */
import type { WeaviateClient } from 'weaviate-client';
import { EscoInitError } from '../errors.ts';
import { openDataset } from '../esco/open.ts';
import { simpleContext, throwIfInterrupted } from '../ingest/context.ts';
import { type IngestReport, ingest } from '../ingest/ingest.ts';
import { INGESTED_COLLECTIONS } from '../ingest/mapping.ts';
import { buildPlan } from '../ingest/plan.ts';
import { connect } from '../weaviate/client.ts';
import { WeaviateGenerationStore } from '../weaviate/generation-store.ts';
import { MetadataDocs } from '../weaviate/metadata-docs.ts';
import { restEndpoint } from '../weaviate/rest.ts';
import { WeaviateVectorizer } from '../weaviate/run-vectorizer.ts';
import { loadSchemas } from '../weaviate/schema.ts';
import { type CommandIO, defineCommand } from './command.ts';
import { CONFIG_FILE, DATA, LANGUAGE, PROFILE, settingFlag } from './flags.ts';

export const command = defineCommand({
  name: 'ingest',
  usage: 'esco-init ingest [--data <path>]... [options]',
  about: `Ingests an ESCO dataset into Weaviate once: creates the collections if needed, writes new and
changed objects with their references, deletes objects no longer in the dataset, verifies counts,
references and a sample of objects, and prints per-collection counts. Safe to repeat: an
unchanged dataset writes nothing. (Use 'init' under docker compose: it adds locking and status.)`,
  flags: {
    data: DATA,
    language: LANGUAGE,
    'batch-size': settingFlag('ingest.batchSize'),
    concurrency: settingFlag('ingest.concurrency'),
    vectorizer: settingFlag('ingest.vectorizer'),
    profile: PROFILE,
    config: CONFIG_FILE,
    json: { type: 'boolean', help: 'print the full report as JSON instead of the table' },
  },
  async run({ flags, config, io, logger }) {
    const log = await logger();
    const { data } = config;
    const dataset = await openDataset(data.paths, {
      language: data.language,
      policy: data.rowPolicy,
      maxRejected: data.maxRejectedRows,
    });
    const definitions = loadSchemas({ vectorizer: config.ingest.vectorizer });
    const plan = buildPlan(dataset, { definitions, signal: io.signal });
    const rest = restEndpoint(config.weaviate);
    const timeoutSeconds = config.weaviate.startupTimeoutSeconds;
    const vectors = WeaviateVectorizer.of(
      { rest, url: config.weaviate.url, timeoutSeconds, log, signal: io.signal },
      definitions,
    );
    const client = await connectBeside(plan, io, async (signal) => {
      const connected = await connect(config.weaviate, log, signal);
      // A Weaviate without the module, or without its inference service, fails before any write.
      await vectors?.ready().catch(async (error) => {
        await connected.close();
        throw error;
      });
      return connected;
    });
    try {
      await refuseGenerations(client);
      const ctx = simpleContext(client, log, {
        batchSize: config.ingest.batchSize,
        concurrency: config.ingest.concurrency,
        signal: io.signal,
        rest,
        vectors,
      });
      const report = await interruptible(io, () => ingest({ plan, definitions, ctx }));
      await recordCompleted(client, report);
      io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
      return 0;
    } finally {
      await client.close();
    }
  },
});

/**
 * Connects while the dataset is read. A dataset that fails to read fails the command at once,
 * rather than once Weaviate has answered (or at the startup timeout, when it never does): the
 * connection attempt is called off and a client that still arrives is closed.
 */
async function connectBeside(
  plan: Promise<unknown>,
  io: CommandIO,
  connecting: (signal: AbortSignal) => Promise<WeaviateClient>,
): Promise<WeaviateClient> {
  const stop = new AbortController();
  const client = connecting(AbortSignal.any([io.signal, stop.signal]));
  // Settles with the client, unless the plan fails first.
  const clientAfterPlan = plan.then(() => client);
  try {
    return await interruptible(io, () => Promise.race([client, clientAfterPlan]));
  } catch (error) {
    stop.abort();
    client.then((c) => c.close()).catch(() => {});
    throw error;
  }
}

/** A failure caused by SIGINT/SIGTERM is reported as the interruption (exit 130/143). */
async function interruptible<T>(io: CommandIO, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throwIfInterrupted(io.signal);
    throw error;
  }
}

/** A plain `completed` record in Metadata (init's status store keeps the real history). */
async function recordCompleted(client: WeaviateClient, report: IngestReport): Promise<void> {
  const summary = {
    state: 'completed',
    schemaVersion: report.schemaVersion,
    fingerprint: report.fingerprint,
    collections: report.collections,
    references: report.references,
    completedAt: new Date().toISOString(),
  };
  try {
    await new MetadataDocs(client).write('status', 'ingest-command', 'completed', summary);
  } catch (error) {
    throw new EscoInitError(
      'WRITE_FAILED',
      `the data is ingested and verified, but recording the status failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export function renderReport(report: IngestReport): string {
  const header = ['collection', 'total', 'added', 'updated', 'unchanged', 'deleted'];
  const rows = Object.entries(report.collections).map(([name, c]) => [
    name,
    ...[c.total, c.added, c.updated, c.unchanged, c.deleted].map(String),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const v = report.verify;
  return [
    line(header),
    ...rows.map(line),
    '',
    `references: ${report.references} (relation rows skipped as dangling: ${report.danglingRelations})`,
    `writes: ${report.writes} (objects created, rewritten or deleted); verified ${v.objects} objects, ${v.references} references (${v.referencesRead} read back, the rest by content hash), ${v.sampled} sampled`,
    `schema ${report.schemaVersion}, dataset ${report.fingerprint.slice(0, 16)}, ${(report.ms.total / 1000).toFixed(1)} s, peak memory ${report.peakRssMb} MB`,
    '',
  ].join('\n');
}

/**
 * `ingest` writes the collections of the published names in place: where `init` keeps generations
 * behind those names, that would be writing into the published generation, which nothing may.
 */
async function refuseGenerations(client: WeaviateClient): Promise<void> {
  const published = await new WeaviateGenerationStore(client, INGESTED_COLLECTIONS).published();
  if (published.state !== 'generation' && published.state !== 'mixed') return;
  throw new EscoInitError(
    'USAGE',
    "this Weaviate's ESCO collections are generations managed by `esco-init init` (the published names are aliases); `ingest` would write into the published generation. Use `esco-init init --force-reingest` to build a new generation.",
  );
}
