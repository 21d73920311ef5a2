/**
 * The status model, kept in the Metadata collection:
 * - one status record per dataset key (kind `status`): the current state, what was ingested
 *   (fingerprint, schema version, tool version, counts) and which passes a failed run completed
 *   (`resume`), written only by the lease holder;
 * - one run record per run (kind `run`), written only by the run's own process: who, when, what it
 *   decided, each pass with timings and counts, and the error.
 */
import { z } from 'zod';

/** One ESCO dataset per Weaviate: all languages share the collections, so they share one record. */
export const DEFAULT_DATASET_KEY = 'esco';

export const DATASET_STATES = ['not_started', 'in_progress', 'completed', 'failed'] as const;
export type DatasetState = (typeof DATASET_STATES)[number];

export const ErrorInfoSchema = z.object({ code: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export const CountsSchema = z.record(z.string(), z.number());
export type Counts = z.infer<typeof CountsSchema>;

export const ResumeSchema = z.object({
  fingerprint: z.string(),
  schemaVersion: z.string(),
  /** Passes completed for exactly this fingerprint and schema version, in pipeline order. */
  passes: z.array(z.string()),
  /** The unpublished generation those passes wrote (null: written before generations existed). */
  generation: z.number().int().nullable().default(null),
});
export type Resume = z.infer<typeof ResumeSchema>;

/**
 * One generation of the ESCO collections (`Skill_g7`, `Occupation_g7`, …), named after the lease
 * epoch that began building it: unique and increasing without a counter of its own.
 */
export const GenerationRecordSchema = z.object({
  id: z.number().int().positive(),
  fingerprint: z.string(),
  schemaVersion: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  /** When it was verified and first published; null while it is being built. */
  completedAt: z.string().nullable(),
  counts: CountsSchema.nullable(),
});
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>;

/** Set by `esco-init rollback`: the dataset rolled back from is not published again unless forced. */
export const RollbackSchema = z.object({
  from: z.number().int(),
  fingerprint: z.string(),
  schemaVersion: z.string(),
  runId: z.string(),
  at: z.string(),
});
export type Rollback = z.infer<typeof RollbackSchema>;

export const DatasetStatusSchema = z.object({
  key: z.string(),
  state: z.enum(DATASET_STATES),
  fingerprint: z.string().nullable(),
  schemaVersion: z.string().nullable(),
  toolVersion: z.string(),
  counts: CountsSchema.nullable(),
  /** The run that last changed this record, and its lease epoch. */
  runId: z.string().nullable(),
  epoch: z.number().int().nullable(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
  resume: ResumeSchema.nullable(),
  /**
   * The published generation: what the published names (aliases `Skill`, …) point at and what the
   * search service reads. The fingerprint, schema version and counts above describe it once
   * completed. Null before the first generation (or for data written before generations existed).
   */
  generation: z.number().int().nullable().default(null),
  /** Every generation kept in Weaviate (published, previous, being built), oldest first. */
  generations: z.array(GenerationRecordSchema).default([]),
  rollback: RollbackSchema.nullable().default(null),
});
export type DatasetStatus = z.infer<typeof DatasetStatusSchema>;

export const PASS_STATES = ['pending', 'running', 'done', 'resumed', 'failed', 'skipped'] as const;

export const PassRecordSchema = z.object({
  name: z.string(),
  status: z.enum(PASS_STATES),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  ms: z.number().nullable(),
  counts: CountsSchema.nullable(),
  /** Why it was resumed or skipped, or what it found. */
  note: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
});
export type PassRecord = z.infer<typeof PassRecordSchema>;

/**
 * queued: accepted over the operator API (`POST /admin/ingest`), not started yet;
 * running: not finished (or the process died); ingested: this run wrote and published the data;
 * skipped: already complete; waited: another holder completed it; failed; interrupted (signal);
 * gave_up: --wait-timeout passed; rolled_back: `esco-init rollback` published an earlier generation.
 */
export const RUN_STATES = [
  'queued',
  'running',
  'ingested',
  'skipped',
  'waited',
  'failed',
  'interrupted',
  'gave_up',
  'rolled_back',
] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RunEventSchema = z.object({ at: z.string(), event: z.string() });

/** Who asked for a run over the operator API; null for runs started by the CLI or a container. */
export const TriggerSchema = z.object({
  /** The API key's name (never the key). */
  by: z.string(),
  /** The request's Idempotency-Key, when it sent one. */
  idempotencyKey: z.string().nullable(),
  /** When the API accepted it (the run starts a moment later). */
  at: z.string(),
});
export type Trigger = z.infer<typeof TriggerSchema>;

export const RunRecordSchema = z.object({
  runId: z.string(),
  datasetKey: z.string(),
  host: z.string(),
  pid: z.number().int(),
  toolVersion: z.string(),
  state: z.enum(RUN_STATES),
  /** What the run set out to do and why, e.g. "ingest: the dataset changed". */
  decision: z.string(),
  force: z.boolean(),
  fingerprint: z.string().nullable(),
  schemaVersion: z.string().nullable(),
  /** Lease epochs this run held. */
  epochs: z.array(z.number().int()),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  ms: z.number().nullable(),
  passes: z.array(PassRecordSchema),
  /** Passes not redone because a previous run completed them for the same fingerprint. */
  resumed: z.array(z.string()),
  counts: CountsSchema.nullable(),
  error: ErrorInfoSchema.nullable(),
  events: z.array(RunEventSchema),
  trigger: TriggerSchema.nullable().default(null),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export interface StatusStore {
  readStatus(key: string): Promise<DatasetStatus | null>;
  writeStatus(status: DatasetStatus): Promise<void>;
  readRun(runId: string): Promise<RunRecord | null>;
  writeRun(run: RunRecord): Promise<void>;
  /** The newest runs of a dataset, newest first. */
  listRuns(datasetKey: string, limit: number): Promise<RunRecord[]>;
  deleteRun(runId: string): Promise<void>;
}

/** A status record for a dataset nothing has been written for. */
export function notStarted(key: string, toolVersion: string): DatasetStatus {
  return {
    key,
    state: 'not_started',
    fingerprint: null,
    schemaVersion: null,
    toolVersion,
    counts: null,
    runId: null,
    epoch: null,
    updatedAt: new Date().toISOString(),
    completedAt: null,
    error: null,
    resume: null,
    generation: null,
    generations: [],
    rollback: null,
  };
}

/** Keeps the newest `keep` run records of a dataset; returns how many were deleted. */
export async function pruneRuns(store: StatusStore, datasetKey: string, keep: number): Promise<number> {
  const runs = await store.listRuns(datasetKey, keep + 100);
  const old = runs.slice(keep);
  for (const run of old) await store.deleteRun(run.runId);
  return old.length;
}
