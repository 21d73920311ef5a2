/**
 * What `init` does on start, from the status record and where the published names point: skip (the
 * data is complete for this dataset and schema, and published) or ingest, and why. Pure, so that
 * the rules are unit-tested exhaustively.
 */
import type { Published } from '../generations/generation-store.ts';
import type { DatasetStatus } from '../status/status-store.ts';

export interface DecisionInput {
  status: DatasetStatus | null;
  fingerprint: string;
  schemaVersion: string;
  force: boolean;
  /**
   * With --force-reingest: the highest lease epoch when this process started. A completion
   * published under a higher epoch was ingested after this process started, which is what the
   * force asked for (N replicas started with --force-reingest ingest once, not N times).
   */
  startEpoch: number;
  /** Where the published names point (aliases of a generation, normally). */
  published: Published;
}

export type Decision =
  | { action: 'skip'; reason: string }
  | {
      action: 'ingest';
      reason: string;
      /** Passes a previous run completed for this fingerprint and schema version. */
      resume: string[];
      /** The data in Weaviate is complete for another dataset or schema and will be replaced. */
      replacesCompleteData: boolean;
      /**
       * Nothing to build: the status record publishes this generation, verified, but a switch (an
       * init's or a rollback's) stopped before every alias pointed at it. Finishing it is all.
       */
      switchTo?: number;
    };

export function decide(input: DecisionInput): Decision {
  const { status, fingerprint, schemaVersion, force } = input;
  const sameData = status?.fingerprint === fingerprint && status?.schemaVersion === schemaVersion;
  const completed = status?.state === 'completed';
  const rolledBack = status?.rollback?.fingerprint === fingerprint && status.rollback.schemaVersion === schemaVersion;
  const generation = status?.generation ?? null;
  const switched = generation === null ? input.published.state === 'none' : publishedAt(input.published) === generation;
  if (completed && generation !== null && !switched && !force && (sameData || rolledBack)) {
    const reason = `generation ${generation} is published in the status record but the aliases point elsewhere (${describe(input.published)}): finishing the switch`;
    return { action: 'ingest', reason, resume: [], replacesCompleteData: false, switchTo: generation };
  }
  if (completed && rolledBack && !force) {
    return {
      action: 'skip',
      reason: `this dataset (${short(fingerprint)}) was rolled back by run ${status?.rollback?.runId}; generation ${status?.generation} stays published (--force-reingest publishes the dataset again)`,
    };
  }
  if (completed && sameData && !force && switched) {
    return { action: 'skip', reason: `already complete (dataset ${short(fingerprint)}, schema ${schemaVersion})` };
  }
  if (completed && sameData && force && switched && (status?.epoch ?? 0) > input.startEpoch) {
    return {
      action: 'skip',
      reason: `re-ingested by run ${status?.runId} after this process started (--force-reingest)`,
    };
  }
  const resume =
    !force && status?.resume?.fingerprint === fingerprint && status.resume.schemaVersion === schemaVersion
      ? [...status.resume.passes]
      : [];
  return {
    action: 'ingest',
    reason: ingestReason(input),
    resume,
    replacesCompleteData: completed && (force || !sameData),
  };
}

function ingestReason({ status, fingerprint, schemaVersion, force, published }: DecisionInput): string {
  if (force) return 'forced (--force-reingest)';
  if (!status || status.state === 'not_started') return 'nothing ingested yet';
  if (status.state === 'in_progress') return `run ${status.runId} did not finish (state in_progress)`;
  if (status.state === 'failed') return `the last run failed (${status.error?.code ?? 'unknown error'}); trying again`;
  if (status.fingerprint !== fingerprint) {
    return `the dataset changed (fingerprint ${short(status.fingerprint)} → ${short(fingerprint)})`;
  }
  if (status.schemaVersion !== schemaVersion) return `the schema changed (${status.schemaVersion} → ${schemaVersion})`;
  return published.state === 'collections'
    ? 'the collections predate generations: rebuilding them as a generation, once'
    : 'nothing is published yet';
}

/** The generation every published name points at; null when none is, or they disagree. */
function publishedAt(published: Published): number | null {
  return published.state === 'generation' ? published.generation : null;
}

function describe(published: Published): string {
  if (published.state === 'mixed') return published.detail;
  if (published.state === 'generation') return `generation ${published.generation}`;
  return published.state === 'none' ? 'no aliases' : 'collections of those names';
}

function short(fingerprint: string | null): string {
  return fingerprint ? fingerprint.slice(0, 12) : 'none';
}
