/**
 * The one retry layer of a request path to Weaviate, with a fixed budget.
 *
 * Budget, per call (one read, one delete request, one batch chunk with its resends):
 * - attempts: `maxAttempts` sends in all (default 5). A batch chunk spends the same budget on
 *   whole-request failures and on resending the objects Weaviate refused (batch-writer.ts), so a
 *   chunk is sent at most 5 times whatever fails.
 * - which failures: only transient ones (failure.ts `isTransient`: 429/502/503/504, gRPC
 *   UNAVAILABLE/DEADLINE_EXCEEDED/RESOURCE_EXHAUSTED, dropped or refused connections, timeouts);
 *   anything else fails at once.
 * - backoff before send n+1: exponential from `firstDelayMs` (250 ms), doubling, capped at 8 s,
 *   with equal jitter (half fixed, half random): 125–250, 250–500, 500–1000, 1000–2000 ms, so
 *   1.9–3.75 s of waiting in all for 5 sends. The fixed half keeps a burst of failed requests from
 *   coming back at once; the random half spreads them.
 * - total time: at most 5 sends × the request timeout + 3.75 s: about 10 min in the worst case of
 *   a server that accepts connections and never answers (REST requests time out after 120 s,
 *   rest.ts; weaviate-client's after 60 s for queries, 120 s for writes, client.ts); refused
 *   connections or 503s fail after 5 quick sends and at most 3.75 s of waiting.
 * Before every new send the caller's checkpoint runs: a write must stay fenced by the lease.
 * No library (p-retry): its loop retries one function until it stops throwing, while a batch
 * chunk resends a shrinking set of objects after a reply that is not an error, and every wait
 * must end in the lease checkpoint; the loop that does both is a dozen lines (batch-writer.ts).
 */

import { sleep } from '../clock.ts';
import { type ErrorCode, EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { failureOf, isTransient } from './failure.ts';

export interface RetryOptions {
  /** Sends in all (default 5). */
  maxAttempts?: number;
  /** The first backoff's ceiling (default 250 ms); each next one doubles, up to 8 s. */
  firstDelayMs?: number;
  signal: AbortSignal;
  log: Logger;
  /** Runs before each new send: a write must stay fenced by the lease. */
  checkpoint?: () => Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;

/** Runs a request; on a transient failure waits, checkpoints and sends again, within the budget. */
export async function retrying<T>(
  options: RetryOptions,
  what: string,
  request: () => Promise<T>,
  code: ErrorCode = 'WRITE_FAILED',
): Promise<T> {
  const attempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  for (let sent = 1; ; sent++) {
    try {
      return await request();
    } catch (error) {
      if (sent >= attempts || !isTransient(error)) throw gaveUp(code, what, sent, error);
      warnRetry(options, what, sent, error);
      await beforeResend(sent, options);
    }
  }
}

/** The error a call path fails with: what it tried, how often, and the last failure. */
export function gaveUp(code: ErrorCode, what: string, sent: number, error: unknown): EscoInitError {
  const message = (error as Error)?.message ?? String(error);
  return new EscoInitError(code, `${what} failed after ${sent} attempt(s): ${message}`, { cause: error });
}

export function warnRetry(options: RetryOptions, what: string, sent: number, error: unknown): void {
  const { status, grpc, socket, timedOut } = failureOf(error);
  const message = (error as Error)?.message ?? String(error);
  options.log.warn(
    { attempt: sent, what, status, grpc, socket, timedOut, error: message },
    'transient Weaviate failure; retrying',
  );
}

/** The wait after send number `sent`, then the checkpoint: the lease may have been lost meanwhile. */
export async function beforeResend(sent: number, options: RetryOptions): Promise<void> {
  // An abort ends the wait; it surfaces at the checkpoint, which names the interruption.
  await sleep(backoffMs(sent, options.firstDelayMs), options.signal).catch(() => {});
  await options.checkpoint?.();
}

/** Equal jitter: between half and all of min(first × 2^(sent−1), 8 s). */
export function backoffMs(sent: number, firstDelayMs = FIRST_DELAY_MS): number {
  const ceiling = Math.min(firstDelayMs * 2 ** (sent - 1), MAX_DELAY_MS);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
