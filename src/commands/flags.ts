/**
 * Command-line flags, declared once per command: the table a command declares is what
 * node:util parseArgs parses, what `--help` lists and what overrides the configuration.
 * Flags several commands share are declared here.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigOverrides, ConfigPath } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable: the values are collected in a list. */
  multiple?: boolean;
  /** One-letter alias, e.g. `-y`. */
  short?: string;
  default?: string;
  /** The value's placeholder in the help, e.g. `<path>` (string flags). */
  value?: string;
  /** One line of help; wrapped to the terminal width the help is written for. */
  help: string;
  /** The configuration setting the flag overrides (over the profile and the environment). */
  config?: ConfigPath;
  /** The values are file paths, resolved against the working directory. */
  path?: boolean;
  /** The value must be a whole number (a usage error otherwise). */
  integer?: boolean;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** What parsing a table yields: booleans, strings, or lists of strings for repeatable flags. */
export type FlagValues<F extends FlagTable> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : F[K]['multiple'] extends true ? string[] : string;
};

export const PROFILE = {
  type: 'string',
  value: '<name>',
  help: 'configuration profile (config/weaviate_config.yaml; env ESCO_INIT_PROFILE)',
  config: 'profile',
} as const satisfies FlagSpec;

export const CONFIG_FILE = {
  type: 'string',
  value: '<file>',
  help: 'configuration file (env ESCO_INIT_CONFIG)',
  config: 'configFile',
} as const satisfies FlagSpec;

export const WEAVIATE_URL = {
  type: 'string',
  value: '<url>',
  help: 'Weaviate HTTP URL (env WEAVIATE_URL)',
  config: 'weaviate.url',
} as const satisfies FlagSpec;

export const DATA = {
  type: 'string',
  multiple: true,
  value: '<path>',
  help: 'ESCO zip, folder or CSV file; repeat for several (default: config data.paths)',
  config: 'data.paths',
  path: true,
} as const satisfies FlagSpec;

export const LANGUAGE = {
  type: 'string',
  value: '<code>',
  help: 'language bundle to read (default: config data.language, "en")',
  config: 'data.language',
} as const satisfies FlagSpec;

/** `esco-init rollback`'s flags (src/commands/rollback.ts). */
export const ROLLBACK_FLAGS = {
  to: {
    type: 'string',
    value: '<generation>',
    integer: true,
    help: `publish this complete generation (its id, as 'esco-init status' lists it) instead of the newest
      complete one before the published`,
  },
  json: {
    type: 'boolean',
    help: 'print the outcome as JSON: { runId, epoch, from, to, finished } (from/to: generation records)',
  },
  url: WEAVIATE_URL,
  profile: PROFILE,
  config: CONFIG_FILE,
} as const satisfies FlagTable;

/** Strict parse (no positionals); a bad flag is a USAGE error (exit 2) pointing at the command's help. */
export function parseFlags<F extends FlagTable>(command: string, argv: string[], table: F): FlagValues<F> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options: table }).values;
  } catch (cause) {
    throw new EscoInitError('USAGE', `${command}: ${(cause as Error).message}; see esco-init ${command} --help`, {
      cause,
    });
  }
  for (const [name, spec] of Object.entries(table)) {
    const value = values[name];
    if (spec.integer && typeof value === 'string' && !/^\d+$/.test(value))
      throw new EscoInitError('USAGE', `${command}: --${name} takes a whole number`);
  }
  return values as FlagValues<F>;
}

/** The configuration overrides the flags given carry (loadConfig merges them last). */
export function configOverrides<F extends FlagTable>(table: F, values: FlagValues<F>): ConfigOverrides {
  const overrides: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const value: unknown = values[name];
    if (spec.config === undefined || value === undefined) continue;
    const setting = spec.path ? resolvePaths(value) : value;
    const [section = '', key] = spec.config.split('.');
    overrides[section] = key === undefined ? setting : { ...(overrides[section] as object), [key]: setting };
  }
  return overrides;
}

function resolvePaths(value: unknown): unknown {
  return Array.isArray(value) ? value.map((p) => path.resolve(String(p))) : path.resolve(String(value));
}
