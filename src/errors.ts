/**
 * One error class for everything the tool reports on purpose. `code` is stable (tests, logs and
 * the status record match on it); the message says what happened and what to do next.
 */
import type { ErrorInfo } from './status/status-store.ts';

export const EXIT_CODES = {
  // 2: bad input or configuration; the operator has to fix something before a retry helps.
  USAGE: 2,
  CONFIG_INVALID: 2,
  SCHEMA_INVALID: 2,
  DATA_NOT_FOUND: 2,
  DATA_FILE_MISSING: 2,
  DATA_INVALID: 2,
  VECTORIZER_MISSING: 2,
  // rollback: no complete generation to return to (none kept, or --to names none).
  NO_ROLLBACK_TARGET: 2,
  // 1: the run itself failed; a retry may help, the message says why.
  SCHEMA_CONFLICT: 1,
  WRITE_FAILED: 1,
  VERIFY_FAILED: 1,
  LOCK_LOST: 1,
  INTERNAL: 1,
  // 3: Weaviate did not become ready within the startup timeout.
  WEAVIATE_UNREACHABLE: 3,
  // 4: another holder kept the lease (or never completed) past --wait-timeout.
  LOCK_WAIT_TIMEOUT: 4,
  // 4 too: rollback found the lease held by a live holder (it does not wait: an ingest may take long).
  LOCK_HELD: 4,
  // 5: the vectorizer's inference service did not answer (at start, or mid-ingest after retries).
  INFERENCE_UNAVAILABLE: 5,
  // 130/143: stopped by SIGINT/SIGTERM; the run is recorded as interrupted.
  INTERRUPTED_SIGINT: 130,
  INTERRUPTED_SIGTERM: 143,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export class EscoInitError extends Error {
  override readonly name = 'EscoInitError';
  readonly code: ErrorCode;
  /** Structured detail for logs and `--json` output (e.g. rejected rows). */
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isEscoInitError(error: unknown, code?: ErrorCode): error is EscoInitError {
  return error instanceof EscoInitError && (code === undefined || error.code === code);
}

/** Exit code for anything thrown out of a command: our own codes, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof EscoInitError ? error.exitCode : EXIT_CODES.INTERNAL;
}

/** What a status or run record says about a failure: the error's code, or INTERNAL for anything else. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof EscoInitError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
