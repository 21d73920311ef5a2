/**
 * pino logger factory. NDJSON when stdout is not a terminal (containers, CI, pipes), a readable
 * line format on a terminal. API keys and secrets are redacted wherever they appear in a logged object.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config/config.ts';

export type { Logger };

const REDACT = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'weaviateApiKey',
  '*.weaviateApiKey',
  'secret',
  '*.secret',
  '*.*.secret',
  '*.*.*.secret',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(
  options: Config['log'],
  destination: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Logger {
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && destination.isTTY === true);
  const base = { level: options.level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } };
  if (!usePretty) return pino(base, destination);
  return pino(
    base,
    pretty({ destination, colorize: destination.isTTY === true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' }),
  );
}

/** A logger that discards everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
