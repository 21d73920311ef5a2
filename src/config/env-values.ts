/**
 * How an environment variable's text becomes a setting's value (the `read` of settings.ts).
 * Each returns undefined for text that counts as unset, so the next variable or layer applies.
 */
import path from 'node:path';
import type { ApiRole } from './config.ts';

/** An empty variable counts as unset (for numbers, where zod would coerce '' to 0). */
export const nonEmpty = (text: string) => text || undefined;

/** Paths separated like PATH's (`:`; `;` on Windows). */
export const pathList = (text: string) => (text ? text.split(path.delimiter).filter(Boolean) : undefined);

/** One part of a URL, e.g. the host of `WEAVIATE_GRPC_URL`. */
export const grpcUrl = (part: 'port' | 'hostname') => (text: string) => (text ? new URL(text)[part] : undefined);

/** Set to anything but empty or `false` (CI=true, DOCKER_ENV=1, …). */
export const switchedOn = (text: string) => (text !== '' && text !== 'false' ? true : undefined);

/** Keys separated by commas or newlines, each `name:secret` or a bare secret (named after the role). */
export const apiKeys = (role: ApiRole) => (text: string) => {
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) return { name: entries.length === 1 ? role : `${role}-${i + 1}`, secret: entry };
    return { name: entry.slice(0, colon), secret: entry.slice(colon + 1) };
  });
};
