/**
 * Retries of requests to Weaviate: which failures are transient (unavailable, timeouts, 429/503,
 * dropped connections), and exponential backoff with jitter between attempts.
 */

import { sleep } from '../clock.ts';
import { type ErrorCode, EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface RetryOptions {
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  signal: AbortSignal;
  log: Logger;
  /** Runs before each new attempt: a write must stay fenced by the lease. */
  checkpoint?: () => Promise<void>;
}

/** Runs a request; on a transient failure waits (exponential backoff with jitter) and tries again. */
export async function retrying<T>(
  options: RetryOptions,
  what: string,
  request: () => Promise<T>,
  code: ErrorCode = 'WRITE_FAILED',
): Promise<T> {
  const attempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      if (attempt >= attempts || !isTransient(message)) {
        throw new EscoInitError(code, `${what} failed after ${attempt} attempt(s): ${message}`, {
          cause: error,
        });
      }
      options.log.warn({ attempt, what, error: message }, 'transient Weaviate failure; retrying');
      await backoff(attempt, options.signal);
      await options.checkpoint?.(); // the lease may have been lost meanwhile: never resend unfenced
    }
  }
}

const TRANSIENT =
  /UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|ECONNRESET|ECONNREFUSED|EPIPE|UND_ERR_SOCKET|UND_ERR_(?:CONNECT|HEADERS)_TIMEOUT|other side closed|socket hang up|timed? ?out|\b429\b|\b503\b|too many requests|service unavailable|connection (?:reset|refused|closed)/i;

export function isTransient(message: string): boolean {
  return TRANSIENT.test(message);
}

export async function backoff(attempt: number, signal: AbortSignal): Promise<void> {
  const base = Math.min(250 * 2 ** (attempt - 1), 8000);
  // An abort during the wait surfaces at the caller's next checkpoint; the wait itself just ends.
  await sleep(base / 2 + Math.random() * (base / 2), signal).catch(() => {});
}
