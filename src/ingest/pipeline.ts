/**
 * The init pipeline: passes run in order behind hard gates (a pass starts only when every pass
 * before it succeeded), and a manifest records each pass's status, timings and counts.
 *
 * Resume: a pass marked `resumable` that a previous run completed for the same fingerprint and
 * schema version is not redone, as long as no earlier data-writing pass had to be redone in this
 * run (writing objects again invalidates what the later passes did). Passes that are not
 * resumable always run: reading the dataset (the later passes need its plan), ensuring the schema
 * (cheap, and collections may have been dropped since), verification (the gate for publishing)
 * and publishing.
 */
import { EscoInitError, errorInfo } from '../errors.ts';
import type { Counts, PassRecord } from '../status/status-store.ts';

export interface PassOutcome {
  counts?: Counts;
  note?: string;
}

export interface PassDefinition {
  name: string;
  /** Writes data that a later run may keep: skipped when a previous run completed it (see above). */
  resumable: boolean;
  run(): Promise<PassOutcome | undefined>;
}

export interface Manifest {
  passes: PassRecord[];
  /** Passes not redone because a previous run completed them for the same fingerprint. */
  resumed: string[];
}

export interface PipelineHooks {
  /** Every change of the manifest (persist it in the run record). Failures stop the pipeline. */
  onManifest(manifest: Manifest): Promise<void>;
  /**
   * The resumable passes complete so far for this fingerprint (persist it in the status record):
   * called before a resumable pass is redone (the list shrinks) and after one completes.
   */
  onResumePoint(completed: string[]): Promise<void>;
}

export interface PipelineOptions {
  /** Resumable passes a previous run completed for the same fingerprint and schema version. */
  completed: readonly string[];
  hooks: PipelineHooks;
  now?: () => number;
}

export function newManifest(passes: readonly PassDefinition[]): Manifest {
  return { passes: passes.map((p) => pendingRecord(p.name)), resumed: [] };
}

function pendingRecord(name: string): PassRecord {
  return { name, status: 'pending', startedAt: null, endedAt: null, ms: null, counts: null, note: null, error: null };
}

/** Which passes this run will resume, given what a previous run completed. */
export function passesToResume(passes: readonly PassDefinition[], completed: readonly string[]): string[] {
  const resumed: string[] = [];
  for (const pass of passes) {
    if (!pass.resumable) continue;
    if (!completed.includes(pass.name)) break;
    resumed.push(pass.name);
  }
  return resumed;
}

/** Runs the passes; throws the first pass's error after recording it. */
export async function runPipeline(
  passes: readonly PassDefinition[],
  manifest: Manifest,
  options: PipelineOptions,
): Promise<Manifest> {
  const now = options.now ?? (() => performance.now());
  const { hooks } = options;
  const resume = new Set(passesToResume(passes, options.completed));
  const done: string[] = [];
  for (const [index, pass] of passes.entries()) {
    const record = manifest.passes[index];
    if (!record || record.name !== pass.name)
      throw new EscoInitError('INTERNAL', `manifest does not match pass ${pass.name}`);
    if (resume.has(pass.name)) {
      Object.assign(record, {
        status: 'resumed',
        note: 'completed by a previous run for the same dataset fingerprint',
      });
      manifest.resumed.push(pass.name);
      done.push(pass.name);
      await hooks.onManifest(manifest);
      continue;
    }
    if (pass.resumable) await hooks.onResumePoint([...done]);
    await runPass(pass, record, manifest, hooks, now);
    if (pass.resumable) {
      done.push(pass.name);
      await hooks.onResumePoint([...done]);
    }
  }
  return manifest;
}

async function runPass(
  pass: PassDefinition,
  record: PassRecord,
  manifest: Manifest,
  hooks: PipelineHooks,
  now: () => number,
): Promise<void> {
  const started = now();
  Object.assign(record, { status: 'running', startedAt: new Date().toISOString() });
  await hooks.onManifest(manifest);
  const finish = () => ({ endedAt: new Date().toISOString(), ms: Math.round(now() - started) });
  let outcome: PassOutcome | undefined;
  try {
    outcome = await pass.run();
  } catch (error) {
    // The caller records the failed run (manifest included) before it rethrows.
    Object.assign(record, { status: 'failed', error: errorInfo(error), ...finish() });
    throw error;
  }
  Object.assign(record, { status: 'done', counts: outcome?.counts ?? null, note: outcome?.note ?? null, ...finish() });
  await hooks.onManifest(manifest);
}

/** Marks the passes that never started after a failure. */
export function skipRemaining(manifest: Manifest, note: string): void {
  for (const record of manifest.passes) {
    if (record.status === 'pending') Object.assign(record, { status: 'skipped', note });
  }
}
