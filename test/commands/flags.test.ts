/**
 * The flag table (src/commands/flags.ts, help.ts): one declaration per flag gives its parse,
 * its help line and the configuration setting it overrides.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configOverrides,
  DATA,
  type FlagTable,
  PROFILE,
  parseFlags,
  settingFlag,
  WEAVIATE_URL,
} from '../../src/commands/flags.ts';
import { optionsHelp } from '../../src/commands/help.ts';
import { loadConfig } from '../../src/config/config.ts';
import { isEscoInitError } from '../../src/errors.ts';

const TABLE = {
  data: DATA,
  url: WEAVIATE_URL,
  profile: PROFILE,
  runs: { type: 'string', value: '<n>', default: '5', integer: true, help: 'how many' },
  yes: { type: 'boolean', short: 'y', help: 'do not ask' },
  'lock-ttl': { type: 'string', value: '<s>', help: 'ttl', config: 'lock.ttlSeconds' },
} as const satisfies FlagTable;

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isEscoInitError(error, 'USAGE')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a USAGE error');
}

describe('parseFlags', () => {
  it('parses repeatable, boolean, short and defaulted flags', () => {
    const flags = parseFlags('t', ['--data', 'a', '--data', 'b', '-y', '--url', 'http://x:1'], TABLE);
    expect(flags).toEqual({ data: ['a', 'b'], yes: true, url: 'http://x:1', runs: '5' });
  });

  it('refuses an unknown flag or a positional as a usage error naming the command help', () => {
    expect(usageError(() => parseFlags('t', ['--colour'], TABLE))).toMatch(/^t: .*--colour.*; see esco-init t --help$/);
    expect(usageError(() => parseFlags('t', ['extra'], TABLE))).toContain('see esco-init t --help');
  });

  it('refuses a flag that takes a whole number given anything else', () => {
    expect(usageError(() => parseFlags('status', ['--runs', '2x'], TABLE))).toBe('status: --runs takes a whole number');
    expect(parseFlags('status', ['--runs', '12'], TABLE).runs).toBe('12');
  });
});

describe('configOverrides', () => {
  it('puts each given flag at its config path, paths resolved against the working directory', () => {
    const values = parseFlags('t', ['--data', 'rel/dir', '--url', 'http://x:1', '--lock-ttl', '9', '-y'], TABLE);
    expect(configOverrides(TABLE, values)).toEqual({
      data: { paths: [path.resolve('rel/dir')] },
      weaviate: { url: 'http://x:1' },
      lock: { ttlSeconds: '9' },
    });
    expect(configOverrides(TABLE, parseFlags('t', ['--profile', 'local'], TABLE))).toEqual({ profile: 'local' });
  });

  it('overrides the profile and the environment in the loaded configuration', () => {
    const values = parseFlags('t', ['--profile', 'local', '--url', 'http://flag:1', '--lock-ttl', '60'], TABLE);
    const config = loadConfig(configOverrides(TABLE, values), { WEAVIATE_URL: 'http://env:2' });
    expect(config.profile).toBe('local');
    expect(config.weaviate.url).toBe('http://flag:1');
    expect(config.lock.ttlSeconds).toBe(60);
    expect(config.data.paths).toEqual(['data/sample']);
  });
});

describe('optionsHelp', () => {
  it('lists every flag with its placeholder and short form, help aligned in one column and wrapped', () => {
    const text = optionsHelp({ ...TABLE, long: { type: 'boolean', help: 'word '.repeat(40).trim() } });
    const lines = text.split('\n');
    // DATA's help is two lines long: its first starts in the help column, its second continues it.
    expect(lines[0]).toMatch(/^ {2}--data <path> {5}ESCO zip/);
    expect(lines[1]).toMatch(/^ {20}\S/);
    expect(`${lines[0]} ${lines[1]}`.replace(/\s+/g, ' ').trim()).toBe(`--data <path> ${DATA.help}`);
    expect(lines).toContain('  --yes, -y         do not ask');
    expect(lines).toContain('  --runs <n>        how many');
    const long = lines.findIndex((l) => l.startsWith('  --long'));
    expect(lines[long + 1]).toMatch(/^ {20}word/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(105);
  });
});

describe('settingFlag', () => {
  it("makes a setting's flag from the settings table: placeholder, help with path, variable and default", () => {
    expect(settingFlag('lock.ttlSeconds')).toEqual({
      type: 'string',
      value: '<s>',
      help: 'a holder whose heartbeat has not moved this long is taken over (lock.ttlSeconds, env ESCO_LOCK_TTL; default: 30)',
      config: 'lock.ttlSeconds',
    });
    expect(DATA).toMatchObject({ multiple: true, path: true, config: 'data.paths' });
    expect(DATA.help).toContain('env ESCO_DATA; default: /data)');
    expect(settingFlag('lock.ttlSeconds', 'the TTL to watch').help).toMatch(/^the TTL to watch \(lock\.ttlSeconds/);
  });

  it('refuses a setting the table gives no flag', () => {
    expect(() => settingFlag('search.alpha')).toThrow(/declares no flag for search\.alpha/);
  });
});
