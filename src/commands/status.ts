/**
 * `esco-init status [--json]`: the dataset's state, the lease (epoch, holder, heartbeat, progress)
 * and the last runs, read from the Metadata collection. Reads only.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { type Config, type ConfigOverrides, loadConfig } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { ProgressSchema } from '../state/lease-store.ts';
import { Lock, type Observation } from '../state/lock.ts';
import {
  DATASET_STATES,
  DatasetStatusSchema,
  DEFAULT_DATASET_KEY,
  type RunRecord,
  RunRecordSchema,
} from '../state/status-store.ts';
import { type WeaviateClient, withClient } from '../weaviate/client.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import type { Command } from './command.ts';
import { parseFlags } from './flags.ts';

/** The documented `status --json` output. */
export const StatusReportSchema = z.object({
  datasetKey: z.string(),
  weaviate: z.string(),
  state: z.enum(DATASET_STATES),
  status: DatasetStatusSchema.nullable(),
  lease: z.object({
    /** 0 when no process ever took the lease. */
    epoch: z.number().int().nonnegative(),
    condition: z.enum(['none', 'held', 'released']),
    holder: z.object({ runId: z.string(), host: z.string(), pid: z.number().int() }).nullable(),
    releasedReason: z.string().nullable(),
    heartbeat: z
      .object({
        counter: z.number().int(),
        beatAt: z.string(),
        /** From the holder's wall clock to this host's: indicative only (clocks differ). */
        ageSeconds: z.number(),
      })
      .nullable(),
    progress: ProgressSchema.nullable(),
  }),
  runs: z.array(RunRecordSchema),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

const HELP = `Usage: esco-init status [--json] [--runs <n>] [options]

Shows the ingestion state of ESCO in Weaviate: not_started, in_progress, completed or failed,
with the dataset fingerprint, schema version and counts; the lease (epoch, holder, heartbeat age,
progress); and the last runs (decision, passes with timings, errors).

Options:
  --json               print StatusReport as JSON: { datasetKey, weaviate, state, status,
                       lease: { epoch, condition, holder, releasedReason, heartbeat, progress },
                       runs: [...] }
  --runs <n>           how many recent runs to show (default 5)
  --url <url>          Weaviate HTTP URL (env WEAVIATE_URL)
  --profile <name>     configuration profile
  --config <file>      configuration file

Exit codes: 0 shown (whatever the state), 3 Weaviate unreachable.`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const flags = parse(argv);
    const config = loadConfig(overrides(flags), io.env);
    const log = createLogger({ ...config.log, level: 'warn' }, io.stderr);
    const report = await withClient(config.weaviate, log, io.signal, (client) =>
      readStatusReport(client, config, Number(flags.runs ?? 5), log),
    );
    io.stdout.write(flags.json ? `${JSON.stringify(StatusReportSchema.parse(report), null, 2)}\n` : renderText(report));
    return 0;
  },
};

function parse(argv: string[]) {
  return parseFlags('status', argv, {
    json: { type: 'boolean' },
    runs: { type: 'string' },
    url: { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
  });
}

function overrides(v: ReturnType<typeof parse>): ConfigOverrides {
  if (v.runs !== undefined && !/^\d+$/.test(v.runs))
    throw new EscoInitError('USAGE', 'status: --runs takes a whole number');
  return { profile: v.profile, configFile: v.config, weaviate: { url: v.url } };
}

export async function readStatusReport(client: WeaviateClient, config: Config, runs: number, log: Logger) {
  const store = new WeaviateStatusStore(client);
  const lock = new Lock(new WeaviateLeaseStore(client), {
    ttlMs: config.lock.ttlSeconds * 1000,
    heartbeatMs: config.lock.heartbeatSeconds * 1000,
    owner: { runId: 'status', host: hostname(), pid: process.pid },
    log,
  });
  const [status, observation, recent] = await Promise.all([
    store.readStatus(DEFAULT_DATASET_KEY),
    lock.observe(),
    store.listRuns(DEFAULT_DATASET_KEY, runs),
  ]);
  const report: StatusReport = {
    datasetKey: DEFAULT_DATASET_KEY,
    weaviate: config.weaviate.url,
    state: status?.state ?? 'not_started',
    status,
    lease: leaseReport(observation),
    runs: recent,
  };
  return report;
}

function leaseReport(o: Observation): StatusReport['lease'] {
  const h = o.heartbeat;
  return {
    epoch: o.epoch,
    condition: o.condition === 'none' ? 'none' : h?.state === 'released' ? 'released' : 'held',
    holder: h ? { runId: h.runId, host: h.host, pid: h.pid } : null,
    releasedReason: h?.releasedReason ?? null,
    heartbeat: h
      ? { counter: h.counter, beatAt: h.beatAt, ageSeconds: (Date.now() - Date.parse(h.beatAt)) / 1000 }
      : null,
    progress: h?.progress ?? null,
  };
}

function renderText(r: StatusReport): string {
  const s = r.status;
  const lines = [`ESCO in Weaviate ${r.weaviate}: ${r.state}`];
  if (s) {
    lines.push(
      `  dataset      fingerprint ${s.fingerprint ?? 'none'}, schema ${s.schemaVersion ?? 'none'}, esco-init ${s.toolVersion}`,
    );
    lines.push(`  updated      ${s.updatedAt} by run ${s.runId ?? '-'} (epoch ${s.epoch ?? '-'})`);
    if (s.completedAt) lines.push(`  completed    ${s.completedAt}`);
    if (s.counts)
      lines.push(
        `  counts       ${Object.entries(s.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    if (s.error) lines.push(`  error        ${s.error.code}: ${s.error.message}`);
    if (s.resume && s.resume.passes.length > 0) lines.push(`  resumable    ${s.resume.passes.join(', ')}`);
  }
  const lease = r.lease;
  const age = lease.heartbeat ? `, last beat ${lease.heartbeat.ageSeconds.toFixed(1)} s ago (wall clocks)` : '';
  lines.push(`  lease        ${describeLeaseReport(lease)}${lease.condition === 'held' ? age : ''}`);
  if (lease.condition === 'held' && lease.progress) {
    const p = lease.progress;
    lines.push(`  progress     ${p.pass} ${p.collection ?? ''} ${p.done}/${p.total ?? '?'}`);
  }
  lines.push(r.runs.length > 0 ? '  last runs' : '  last runs    none');
  for (const run of r.runs) lines.push(...renderRun(run));
  return `${lines.join('\n')}\n`;
}

function describeLeaseReport(lease: StatusReport['lease']): string {
  if (lease.condition === 'none') return 'never taken';
  const h = lease.holder;
  const who = h ? `run ${h.runId} on ${h.host} (pid ${h.pid})` : 'a process that has not beaten yet';
  if (lease.condition === 'released') return `epoch ${lease.epoch}, released (${lease.releasedReason}) by ${who}`;
  return `epoch ${lease.epoch}, held by ${who}, heartbeat #${lease.heartbeat?.counter ?? '-'}`;
}

function renderRun(run: RunRecord): string[] {
  const took = run.ms === null ? 'running' : `${(run.ms / 1000).toFixed(1)} s`;
  const lines = [`    ${run.runId}  ${run.state.padEnd(11)} ${run.startedAt}  ${took}  ${run.host} pid ${run.pid}`];
  if (run.decision) lines.push(`      ${run.decision}`);
  const passes = run.passes.filter((p) => p.status !== 'pending');
  if (passes.length > 0) {
    lines.push(
      `      passes: ${passes.map((p) => `${p.name} ${p.status}${p.ms === null ? '' : ` ${p.ms} ms`}`).join(', ')}`,
    );
  }
  if (run.error) lines.push(`      error: ${run.error.code}: ${run.error.message}`);
  return lines;
}
