/**
 * Command-line flags, declared once per command: the table a command declares is what
 * node:util parseArgs parses, what `--help` lists and what overrides the configuration. A flag
 * that overrides a setting is made from the settings table (src/config/settings.ts) by
 * settingFlag; flags several commands share are declared here.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigOverrides, ConfigPath } from '../config/config.ts';
import { settingAt } from '../config/settings.ts';
import { plain, settingNote } from '../config/settings-doc.ts';
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

/**
 * The flag that overrides `setting`, as settings.ts declares it: name, placeholder and help, the
 * help followed by the setting's path, variables and default. `help` replaces the setting's own
 * words where a command uses the flag for something narrower (unlock's --lock-ttl).
 */
export function settingFlag(setting: ConfigPath, help?: string): FlagSpec {
  const flag = settingAt(setting).flag;
  if (!flag) throw new Error(`src/config/settings.ts declares no flag for ${setting}`);
  const text = help ?? flag.help ?? plain(settingAt(setting).help);
  return {
    type: 'string',
    value: flag.value,
    help: `${text} ${settingNote(setting)}`,
    config: setting,
    ...(flag.multiple && { multiple: true }),
    ...(flag.path && { path: true }),
  };
}

export const PROFILE = settingFlag('profile');
export const CONFIG_FILE = settingFlag('configFile');
export const WEAVIATE_URL = settingFlag('weaviate.url');
export const DATA = settingFlag('data.paths');
export const LANGUAGE = settingFlag('data.language');

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
