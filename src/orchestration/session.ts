/** What the orchestrator is given (OrchestratorDeps) and what it gives the passes of one holding of the lease (HolderSession). */
import type { GenerationStore } from '../generations/generation-store.ts';
import type { PassDefinition } from '../ingest/pipeline.ts';
import type { Progress } from '../lease/lease-store.ts';
import type { Lock } from '../lease/lock.ts';
import type { Counts } from '../status/status-store.ts';
import type { JournalDeps } from './run-journal.ts';

/** What the passes of one holding of the lease get from the orchestrator. */
export interface HolderSession {
  epoch: number;
  /** The generation the passes build (src/generations: new, or an unfinished one resumed). */
  generation: number;
  /** False for a new generation: nothing of it exists before the schema pass. */
  resumes: boolean;
  /** The fencing check: call before every write; throws LOCK_LOST once superseded. */
  guard(): Promise<void>;
  progress(progress: Progress): void;
  /**
   * Guarded: marks the dataset completed with these counts as generation `generation`, points the
   * published names at it and drops what retention no longer keeps. The last pass calls it.
   */
  publish(counts: Counts): Promise<void>;
}

/**
 * What the orchestrator is given: what its RunJournal records the run with (who, what data, the
 * status store, clock and log), and what deciding, holding the lease and following need besides.
 */
export interface OrchestratorDeps extends JournalDeps {
  fingerprint: string;
  schemaVersion: string;
  generations: GenerationStore;
  /** Complete generations kept besides the published one, for `rollback` (generations.keep). */
  keepGenerations: number;
  lock: Lock;
  passes(session: HolderSession): PassDefinition[];
  /** How often a follower looks at the status and the lease. */
  pollMs: number;
  waitTimeoutMs: number;
  /** Times this process may take the lease (again after losing it) before giving up. */
  maxAttempts: number;
  signal: AbortSignal;
  /** Asks before replacing complete data; absent when nobody can answer (non-interactive, --yes). */
  confirm?: (question: string) => Promise<boolean>;
  onProgress?: (progress: Progress) => void;
  /** Run records kept per dataset (older ones are deleted by holders). */
  keepRuns?: number;
  /** Makes the stores writable (creates the Metadata collection); called once, after a skip is ruled out. */
  prepare?: () => Promise<void>;
}
