/**
 * The settings table (src/config/settings.ts) against what it must agree with: the zod schema,
 * config/weaviate_config.yaml's `default` profile, the commands' flags and the README's table.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FlagTable } from '../../src/commands/flags.ts';
import { ConfigSchema, DEFAULT_CONFIG_FILE, loadConfig, PROJECT_ROOT } from '../../src/config/config.ts';
import { SETTINGS } from '../../src/config/settings.ts';
import { settingsTable, TABLE_BEGIN, TABLE_END, withSettingsTable } from '../../src/config/settings-doc.ts';

const COMMANDS = ['init', 'status', 'validate', 'unlock', 'rollback', 'roles', 'inspect', 'ingest', 'serve'];

/** `section.key` for every key of a section, `key` for the top-level settings. */
function schemaPaths(): string[] {
  return Object.entries(ConfigSchema.shape).flatMap(([name, schema]) => {
    const inner = schema instanceof z.ZodPipe ? schema.in : schema;
    return inner instanceof z.ZodObject ? Object.keys(inner.shape).map((key) => `${name}.${key}`) : [name];
  });
}

function valueAt(tree: unknown, settingPath: string): unknown {
  return settingPath
    .split('.')
    .reduce((node: unknown, key) => (node as Record<string, unknown> | undefined)?.[key], tree);
}

const yamlDefault = (parseYaml(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as { default: Record<string, object> })
  .default;

describe('the settings table', () => {
  it('declares exactly the settings the schema validates (plus the config file, which picks the profiles)', () => {
    const declared = SETTINGS.map((s) => s.path).filter((p) => p !== 'configFile');
    expect(declared.toSorted()).toEqual(schemaPaths().toSorted());
    expect(new Set(SETTINGS.map((s) => s.path)).size).toBe(SETTINGS.length);
  });

  it('says the default profile values config/weaviate_config.yaml holds, and declares every one', () => {
    const fromFile = SETTINGS.filter((s) => !s.builtIn && s.default !== undefined);
    expect(fromFile.length).toBeGreaterThan(15);
    for (const s of fromFile) expect(valueAt(yamlDefault, s.path), s.path).toEqual(s.default);
    const filePaths = Object.entries(yamlDefault).flatMap(([section, keys]) =>
      Object.keys(keys).map((k) => `${section}.${k}`),
    );
    expect(filePaths.filter((p) => !SETTINGS.some((s) => s.path === p))).toEqual([]);
  });

  it('says the built-in defaults loadConfig starts from, which no profile sets', () => {
    const builtIn = SETTINGS.filter((s) => s.builtIn);
    const config = loadConfig({}, {});
    expect(builtIn.map((s) => s.path)).toContain('log.level');
    for (const s of builtIn) {
      expect(valueAt(config, s.path), s.path).toEqual(s.default);
      expect(valueAt(yamlDefault, s.path), s.path).toBeUndefined();
    }
  });

  it('gives each environment variable and each flag to one setting (the gRPC URL sets host and port)', () => {
    const names = SETTINGS.flatMap((s) => s.env.map((e) => e.name)).filter((n) => n !== 'WEAVIATE_GRPC_URL');
    expect(names.length).toBeGreaterThan(30);
    expect(new Set(names).size).toBe(names.length);
    const flags = SETTINGS.flatMap((s) => (s.flag ? [s.flag.name] : []));
    expect(new Set(flags).size).toBe(flags.length);
  });

  it("names each command's setting flags as the table does, and every flag of the table is some command's", async () => {
    const used = new Set<string>();
    for (const name of COMMANDS) {
      const { command } = (await import(`../../src/commands/${name}.ts`)) as { command: { flags: FlagTable } };
      for (const [flag, spec] of Object.entries(command.flags)) {
        if (spec.config === undefined) continue;
        expect(SETTINGS.find((s) => s.path === spec.config)?.flag?.name, `${name} --${flag}`).toBe(flag);
        used.add(flag);
      }
    }
    expect(SETTINGS.flatMap((s) => (s.flag ? [s.flag.name] : [])).filter((f) => !used.has(f))).toEqual([]);
  });
});

describe("the README's configuration table", () => {
  it('is the one the settings table generates', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(TABLE_BEGIN);
    expect(
      withSettingsTable(readme),
      'README.md differs from src/config/settings.ts: run `npm run settings:table` (scripts/node.sh node scripts/settings-table.ts --write)',
    ).toBe(readme);
  });

  it('has one row per setting, with its variables, flag and default', () => {
    const rows = settingsTable().split('\n').slice(2);
    expect(rows).toHaveLength(SETTINGS.length);
    expect(rows).toContain(
      '| `lock.ttlSeconds` | `ESCO_LOCK_TTL` | `--lock-ttl` | `30` | a holder whose heartbeat has not moved this long is taken over |',
    );
    expect(rows.find((r) => r.startsWith('| `search.alpha`'))).toContain('| `0.6` |');
    expect(rows.find((r) => r.startsWith('| `weaviate.apiKey`'))).toContain(
      '`WEAVIATE_API_KEY` or `WEAVIATE_API_KEY_FILE`',
    );
  });

  it('refuses a README without the markers', () => {
    expect(() => withSettingsTable(`# x\n${TABLE_END}\n`)).toThrow(/lacks the markers/);
  });
});
