/**
 * What the lease lock (src/lease/lock.ts) needs from storage: atomic tickets per epoch and a
 * heartbeat record per epoch that only its holder writes. The Weaviate implementation is
 * src/weaviate/metadata-lease-store.ts; an in-memory one beside the tests checks the contract.
 */
import { z } from 'zod';

/** The passes that report progress, object by object. */
export const PROGRESS_PASSES = ['objects', 'references', 'deletes', 'verify'] as const;
export type PassName = (typeof PROGRESS_PASSES)[number];

/** Where the holder is: kept in its heartbeat, shown by `status` and the terminal progress line. */
export const ProgressSchema = z.object({
  pass: z.enum(PROGRESS_PASSES),
  collection: z.string(),
  /** Objects handled so far in this collection and pass (written, skipped as unchanged or checked). */
  done: z.number(),
  total: z.number(),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const HeartbeatSchema = z.object({
  epoch: z.number().int().positive(),
  runId: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Incremented on every beat: followers watch it move on their own clock. */
  counter: z.number().int().nonnegative(),
  state: z.enum(['held', 'released']),
  /** Why it was released: completed | skipped | failed | interrupted | unlocked. */
  releasedReason: z.string().nullable(),
  progress: ProgressSchema.nullable(),
  /** Wall-clock times of the holder's host: for display only, never compared across hosts. */
  acquiredAt: z.string(),
  beatAt: z.string(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export interface LeaseStore {
  /** Atomic create-if-absent: resolves true for exactly one caller per epoch, false for the rest. */
  createTicket(epoch: number): Promise<boolean>;
  /** Epochs whose tickets exist, in any order. */
  listTickets(): Promise<number[]>;
  deleteTicket(epoch: number): Promise<void>;
  readHeartbeat(epoch: number): Promise<Heartbeat | null>;
  writeHeartbeat(heartbeat: Heartbeat): Promise<void>;
  deleteHeartbeat(epoch: number): Promise<void>;
}
