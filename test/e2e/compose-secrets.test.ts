/**
 * scripts/compose-secrets.sh, run with /bin/sh as users run it: the five key files docker-compose.yml
 * reads, random, never printed, kept on a second run, all replaced with --force.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/compose-secrets.sh');
const FILES = ['esco-admin-keys', 'esco-monitor-keys', 'weaviate-init-key', 'weaviate-root-key', 'weaviate-search-key'];

let parent: string;
let dir: string;
beforeEach(() => {
  parent = mkdtempSync(path.join(tmpdir(), 'compose-secrets-'));
  dir = path.join(parent, 'secrets');
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

const secrets = (...args: string[]) => execFileSync('sh', [SCRIPT, ...args, dir], { encoding: 'utf8' });
const contents = () => Object.fromEntries(FILES.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
const mode = (file: string) => statSync(file).mode & 0o777;

describe('scripts/compose-secrets.sh', () => {
  it('writes one random key per file, the service keys named, and prints no key', () => {
    const out = secrets();
    expect(readdirSync(dir).sort()).toEqual(FILES);
    const keys = contents();
    for (const file of FILES) expect(out).toContain(`wrote   ${path.join(dir, file)}`);
    for (const file of ['weaviate-init-key', 'weaviate-root-key', 'weaviate-search-key']) {
      expect(keys[file]).toMatch(/^[0-9a-f]{64}\n$/);
    }
    expect(keys['esco-admin-keys']).toMatch(/^ops:[0-9a-f]{64}\n$/);
    expect(keys['esco-monitor-keys']).toMatch(/^prometheus:[0-9a-f]{64}\n$/);
    const secretsOnly = Object.values(keys).map((k) => k.trim().replace(/^\w+:/, ''));
    expect(new Set(secretsOnly).size).toBe(FILES.length);
    for (const key of secretsOnly) expect(out).not.toContain(key);
  });

  it('closes the folder to other users and leaves the files readable by the containers', () => {
    secrets();
    expect(mode(dir)).toBe(0o700);
    for (const file of FILES) expect(mode(path.join(dir, file))).toBe(0o644);
  });

  it('keeps existing keys, makes the missing ones, and replaces every key with --force', () => {
    secrets();
    const first = contents();
    rmSync(path.join(dir, 'weaviate-search-key'));
    expect(secrets()).toContain(`kept    ${path.join(dir, 'weaviate-root-key')}`);
    const second = contents();
    expect({ ...second, 'weaviate-search-key': '' }).toEqual({ ...first, 'weaviate-search-key': '' });
    expect(second['weaviate-search-key']).not.toBe(first['weaviate-search-key']);
    secrets('--force');
    const third = contents();
    for (const file of FILES) expect(third[file], file).not.toBe(second[file]);
  });

  it('takes the place of the empty directory a runtime makes for a missing secret file', () => {
    mkdirSync(path.join(dir, 'weaviate-root-key'), { recursive: true });
    secrets();
    expect(readFileSync(path.join(dir, 'weaviate-root-key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('refuses an unknown option', () => {
    expect(() => execFileSync('sh', [SCRIPT, '--rotate'], { stdio: 'pipe' })).toThrow(/unknown option --rotate/);
  });
});
