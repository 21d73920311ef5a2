/**
 * The dispatcher (src/cli.ts): the command table, on-demand loading of each command's module,
 * help and usage errors.
 */
import { describe, expect, it } from 'vitest';
import { usage } from '../src/cli.ts';
import { VERSION } from '../src/version.ts';
import { cli } from './support/cli.ts';

const NAMES = [...usage().matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((m) => m[1] as string);

describe('esco-init', () => {
  it('lists its nine commands, init first (the default)', () => {
    expect(NAMES).toEqual(['init', 'status', 'validate', 'unlock', 'rollback', 'roles', 'inspect', 'ingest', 'serve']);
  });

  it.each(NAMES)('loads %s on demand and prints its own help', async (name) => {
    const { code, out } = await cli(name, '--help');
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Usage: esco-init (\\[${name}\\]|${name})\\s`));
    expect(out).toContain('Exit codes:');
  });

  it('runs init when no command is named', async () => {
    const { code, out } = await cli('--data', 'data/sample', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: esco-init \[init\]/);
  });

  it('prints its version and its usage', async () => {
    expect((await cli('--version')).out).toBe(`${VERSION}\n`);
    expect((await cli('--help')).out).toBe(usage());
  });

  it('refuses an unknown command with exit 2 and the usage', async () => {
    const { code, err } = await cli('ingets');
    expect(code).toBe(2);
    expect(err).toContain('unknown command "ingets"');
    expect(err).toContain(usage());
  });
});
