/**
 * The shared start-up (src/commands/command.ts): help, flags, configuration and logger in that
 * order, and each command's flags overriding the same settings as before they were tables.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CommandIO, defineCommand } from '../../src/commands/command.ts';
import { PROFILE, WEAVIATE_URL } from '../../src/commands/flags.ts';
import type { Config } from '../../src/config/config.ts';
import { isEscoInitError } from '../../src/errors.ts';
import { cli } from '../support/cli.ts';

function io(env: Record<string, string> = {}): CommandIO & { out: () => string } {
  let out = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const stderr = new Writable({ write: (_c, _e, done) => done() });
  return { stdout, stderr, stdinIsTTY: false, env, signal: new AbortController().signal, out: () => out };
}

function probe(logLevel?: 'warn') {
  const seen: { config?: Config; level?: string } = {};
  const command = defineCommand({
    name: 'probe',
    usage: 'esco-init probe [options]',
    about: 'A command that records what its start-up gave it.',
    flags: { url: WEAVIATE_URL, profile: PROFILE },
    logLevel,
    async run({ config, logger }) {
      seen.config = config;
      seen.level = (await logger()).level;
      return 7;
    },
  });
  return { command, seen };
}

describe('defineCommand', () => {
  it('hands the command its configuration with the flags applied, and returns its exit code', async () => {
    const { command, seen } = probe();
    const code = await command.run(['--profile', 'local', '--url', 'http://flag:1'], io({ LOG_LEVEL: 'debug' }));
    expect(code).toBe(7);
    expect(seen.config?.profile).toBe('local');
    expect(seen.config?.weaviate.url).toBe('http://flag:1');
    expect(seen.level).toBe('debug');
  });

  it('logs only warnings and errors for a command that asks so, whatever LOG_LEVEL says', async () => {
    const { command, seen } = probe('warn');
    await command.run([], io({ LOG_LEVEL: 'debug' }));
    expect(seen.level).toBe('warn');
  });

  it('prints the help for --help or -h anywhere on the line, before parsing or configuration', async () => {
    const { command, seen } = probe();
    for (const argv of [['--help'], ['--colour', '-h'], ['--profile', 'nope', '--help']]) {
      const streams = io();
      expect(await command.run(argv, streams)).toBe(0);
      expect(streams.out()).toBe(`${command.help}\n`);
    }
    expect(seen.config).toBeUndefined();
    expect(command.help).toMatch(/^Usage: esco-init probe \[options\]\n\nA command that records/);
    expect(command.help).toContain('  --url <url>       Weaviate HTTP URL (weaviate.url, env WEAVIATE_URL; default:');
    expect(command.help).toContain('Exit codes:\n  0 ');
  });

  it('refuses a bad flag before it reads the configuration', async () => {
    const { command } = probe();
    const failure = await command.run(['--colour'], io({ ESCO_INIT_PROFILE: 'nope' })).catch((e: unknown) => e);
    expect(isEscoInitError(failure, 'USAGE')).toBe(true);
  });
});

describe('every command', () => {
  // The settings each command's flags overrode when each command wrote its overrides by hand.
  const OVERRIDES: Record<string, Record<string, string | undefined>> = {
    init: {
      data: 'data.paths',
      language: 'data.language',
      profile: 'profile',
      config: 'configFile',
      url: 'weaviate.url',
      'force-reingest': undefined,
      yes: undefined,
      'wait-timeout': 'lock.waitTimeoutSeconds',
      'lock-ttl': 'lock.ttlSeconds',
      heartbeat: 'lock.heartbeatSeconds',
      'startup-timeout': 'weaviate.startupTimeoutSeconds',
      'dry-run': undefined,
      'log-level': 'log.level',
      'log-format': 'log.format',
    },
    status: { json: undefined, runs: undefined, url: 'weaviate.url', profile: 'profile', config: 'configFile' },
    validate: { data: 'data.paths', json: undefined, url: 'weaviate.url', profile: 'profile', config: 'configFile' },
    unlock: {
      'if-stale': undefined,
      url: 'weaviate.url',
      'lock-ttl': 'lock.ttlSeconds',
      profile: 'profile',
      config: 'configFile',
    },
    inspect: {
      data: 'data.paths',
      language: 'data.language',
      'row-policy': 'data.rowPolicy',
      'max-rejected': 'data.maxRejectedRows',
      profile: 'profile',
      config: 'configFile',
      json: undefined,
    },
    ingest: {
      data: 'data.paths',
      language: 'data.language',
      'batch-size': 'ingest.batchSize',
      concurrency: 'ingest.concurrency',
      vectorizer: 'ingest.vectorizer',
      profile: 'profile',
      config: 'configFile',
      json: undefined,
    },
    serve: { host: 'search.host', port: 'search.port', profile: 'profile', config: 'configFile' },
  };

  it.each(Object.keys(OVERRIDES))('%s: takes the same flags, overriding the same settings', async (name) => {
    const { command } = await import(`../../src/commands/${name}.ts`);
    const table = Object.entries(command.flags as Record<string, { config?: string; path?: boolean }>);
    expect(Object.fromEntries(table.map(([flag, spec]) => [flag, spec.config]))).toEqual(OVERRIDES[name]);
    // --data paths are resolved against the working directory; nothing else is.
    expect(table.filter(([, spec]) => spec.path).map(([flag]) => flag)).toEqual(
      'data' in (OVERRIDES[name] ?? {}) ? ['data'] : [],
    );
    for (const [flag] of table) expect(command.help).toContain(`--${flag}`);
  });

  it('status: refuses a --runs that is not a whole number (exit 2) before connecting to Weaviate', async () => {
    const { code, err } = await cli('status', '--runs', 'five');
    expect(code).toBe(2);
    expect(err).toContain('USAGE: status: --runs takes a whole number');
  });

  it('resolves --data against the working directory', async () => {
    const { code, out } = await cli('inspect', '--data', 'no/such/dir', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(out).errors[0].message).toContain(path.resolve('no/such/dir'));
  });
});
