/**
 * What `init` does on start, from the status record alone: skip (the data is complete for this
 * dataset and schema) or ingest, and why. Pure, so that the rules are unit-tested exhaustively.
 */
import type { DatasetStatus } from '../state/status-store.ts';

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
    };

export function decide(input: DecisionInput): Decision {
  const { status, fingerprint, schemaVersion, force } = input;
  const sameData = status?.fingerprint === fingerprint && status?.schemaVersion === schemaVersion;
  const completed = status?.state === 'completed';
  if (completed && sameData && !force) {
    return { action: 'skip', reason: `already complete (dataset ${short(fingerprint)}, schema ${schemaVersion})` };
  }
  if (completed && sameData && force && (status?.epoch ?? 0) > input.startEpoch) {
    return {
      action: 'skip',
      reason: `re-ingested by run ${status?.runId} after this process started (--force-reingest)`,
    };
  }
  const resume =
    !force && status?.resume?.fingerprint === fingerprint && status.resume.schemaVersion === schemaVersion
      ? [...status.resume.passes]
      : [];
  return { action: 'ingest', reason: ingestReason(input), resume, replacesCompleteData: completed };
}

function ingestReason({ status, fingerprint, schemaVersion, force }: DecisionInput): string {
  if (force) return 'forced (--force-reingest)';
  if (!status || status.state === 'not_started') return 'nothing ingested yet';
  if (status.state === 'in_progress') return `run ${status.runId} did not finish (state in_progress)`;
  if (status.state === 'failed') return `the last run failed (${status.error?.code ?? 'unknown error'}); trying again`;
  if (status.fingerprint !== fingerprint) {
    return `the dataset changed (fingerprint ${short(status.fingerprint)} → ${short(fingerprint)})`;
  }
  return `the schema changed (${status.schemaVersion} → ${schemaVersion})`;
}

function short(fingerprint: string | null): string {
  return fingerprint ? fingerprint.slice(0, 12) : 'none';
}
