/**
 * What `esco-init status` shows: the dataset's status record, the lease (epoch, holder,
 * heartbeat, progress) and the last runs, read through the store contracts (reads only).
 * StatusReportSchema is the documented `status --json` output.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import type { GenerationStore } from '../generations/generation-store.ts';
import { type LeaseStore, ProgressSchema } from '../lease/lease-store.ts';
import { Lock, lockOptions, type Observation } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import {
  DATASET_STATES,
  type DatasetStatus,
  DatasetStatusSchema,
  DEFAULT_DATASET_KEY,
  GenerationRecordSchema,
  type RunRecord,
  RunRecordSchema,
  type StatusStore,
} from '../status/status-store.ts';

/** A generation kept in Weaviate, as the status record lists it, and what it is now. */
export const GenerationReportSchema = GenerationRecordSchema.extend({
  /** The status record's `generation`: what the search service reads. */
  published: z.boolean(),
  /** The unpublished generation an init is building or left unfinished (`status.resume.generation`). */
  building: z.boolean(),
});
export type GenerationReport = z.infer<typeof GenerationReportSchema>;

/** Where the aliases Skill, Occupation, … point (src/generations/generation-store.ts `Published`). */
export const AliasesReportSchema = z.union([
  z.object({ state: z.enum(['none', 'collections']) }),
  z.object({ state: z.literal('generation'), generation: z.number().int() }),
  z.object({ state: z.literal('mixed'), detail: z.string() }),
]);

/** The documented `status --json` output. */
export const StatusReportSchema = z.object({
  datasetKey: z.string(),
  weaviate: z.string(),
  state: z.enum(DATASET_STATES),
  status: DatasetStatusSchema.nullable(),
  /** status.generations, oldest first, with which one is published and which is being built. */
  generations: z.array(GenerationReportSchema),
  /** Where the published names point now; null when the command was not given the aliases to read. */
  aliases: AliasesReportSchema.nullable(),
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

export interface StatusSources {
  statuses: StatusStore;
  leases: LeaseStore;
  /** Where the stores live, for the report's first line. */
  weaviateUrl: string;
  lock: Config['lock'];
  log: Logger;
  /** Where the aliases point; left out, the report's `aliases` is null. */
  generations?: GenerationStore;
}

/** The status, the lease as this process observes it now, and the `runs` most recent runs. */
export async function readStatusReport(sources: StatusSources, runs: number): Promise<StatusReport> {
  const owner = { runId: 'status', host: hostname(), pid: process.pid };
  const lock = new Lock(sources.leases, lockOptions(sources.lock, { owner, log: sources.log }));
  const [status, observation, recent, aliases] = await Promise.all([
    sources.statuses.readStatus(DEFAULT_DATASET_KEY),
    lock.observe(),
    sources.statuses.listRuns(DEFAULT_DATASET_KEY, runs),
    sources.generations?.published() ?? null,
  ]);
  return {
    datasetKey: DEFAULT_DATASET_KEY,
    weaviate: sources.weaviateUrl,
    state: status?.state ?? 'not_started',
    status,
    generations: generationsReport(status),
    aliases,
    lease: leaseReport(observation),
    runs: recent,
  };
}

function generationsReport(status: DatasetStatus | null): GenerationReport[] {
  if (!status) return [];
  const building = status.state === 'in_progress' ? status.resume?.generation : null;
  return status.generations.map((g) => ({
    ...g,
    published: g.id === status.generation,
    building: g.id === building && g.id !== status.generation,
  }));
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

/** The report as text, for a person. */
export function renderStatusReport(r: StatusReport): string {
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
    lines.push(...renderGenerations(r));
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

/** One line per generation, then where the aliases point if that is not the published one, and the rollback. */
function renderGenerations(r: StatusReport): string[] {
  const lines = r.generations.map((g, i) => {
    const role = g.published ? 'published' : g.building ? 'building' : g.completedAt ? 'previous' : 'unfinished';
    const counts = g.counts ? `, ${g.counts.objects ?? '?'} objects, ${g.counts.references ?? '?'} references` : '';
    const done = g.completedAt ? `, completed ${g.completedAt}` : '';
    const label = i === 0 ? '  generations  ' : ' '.repeat(15);
    return `${label}${`g${g.id}`.padEnd(5)} ${role.padEnd(10)} dataset ${g.fingerprint.slice(0, 12)}, created ${g.createdAt}${done}${counts}`;
  });
  const published = r.status?.generation ?? null;
  const a = r.aliases;
  if (a && !(a.state === 'generation' && a.generation === published) && !(a.state === 'none' && published === null)) {
    const where = a.state === 'generation' ? `generation ${a.generation}` : a.state === 'mixed' ? a.detail : a.state;
    lines.push(
      `  aliases      ${where} (the status record names ${published === null ? 'none' : `generation ${published}`})`,
    );
  }
  const rb = r.status?.rollback;
  if (rb) {
    lines.push(
      `  rollback     from generation ${rb.from} (dataset ${rb.fingerprint.slice(0, 12)}, schema ${rb.schemaVersion}) by run ${rb.runId} at ${rb.at}`,
    );
  }
  return lines;
}

function describeLeaseReport(lease: StatusReport['lease']): string {
  if (lease.condition === 'none') return 'never taken';
  const h = lease.holder;
  const who = h ? `run ${h.runId} on ${h.host} (pid ${h.pid})` : 'a process that has not beaten yet';
  if (lease.condition === 'released') return `epoch ${lease.epoch}, released (${lease.releasedReason}) by ${who}`;
  return `epoch ${lease.epoch}, held by ${who}, heartbeat #${lease.heartbeat?.counter ?? '-'}`;
}

function renderRun(run: RunRecord): string[] {
  const took = run.ms === null ? run.state : `${(run.ms / 1000).toFixed(1)} s`;
  const by = run.trigger ? `  (operator API, ${run.trigger.by})` : '';
  const lines = [
    `    ${run.runId}  ${run.state.padEnd(11)} ${run.startedAt}  ${took}  ${run.host} pid ${run.pid}${by}`,
  ];
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
