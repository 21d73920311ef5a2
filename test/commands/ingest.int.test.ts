/**
 * `esco-init ingest` as a user runs it: the CLI in a child process against a real Weaviate,
 * on the sample dataset, twice.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { openDataset } from '../../src/esco/open.ts';
import { buildPlan } from '../../src/ingest/plan.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { useWeaviate } from '../support/weaviate.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const weaviate = useWeaviate();

function cli(...args: string[]) {
  return execa(process.execPath, ['src/cli.ts', 'ingest', '--profile', 'test', '--data', 'data/sample', ...args], {
    cwd: ROOT,
    env: { ...weaviate().env, LOG_LEVEL: 'warn' },
    reject: false,
  });
}

/** "Skill  12  12  0  0  0" → { total: 12, added: 12, … } */
function table(stdout: string): Record<string, number[]> {
  const rows: Record<string, number[]> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z]\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line.trim());
    if (m?.[1]) rows[m[1]] = m.slice(2).map(Number);
  }
  return rows;
}

describe('esco-init ingest', () => {
  it('ingests the sample, then finds nothing to do on a second run', async () => {
    const dataset = await openDataset([path.join(ROOT, 'data/sample')], {
      language: 'en',
      policy: 'strict',
      maxRejected: 0,
    });
    const plan = await buildPlan(dataset, { definitions: loadSchemas({ vectorizer: 'none' }) });

    const first = await cli();
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const rows = table(first.stdout);
    for (const c of plan.collections)
      expect(rows[c.name], c.name).toEqual([c.objects.length, c.objects.length, 0, 0, 0]);
    expect(first.stdout).toMatch(/verified \d+ objects/);

    const second = await cli();
    expect(second.exitCode).toBe(0);
    for (const c of plan.collections)
      expect(table(second.stdout)[c.name], c.name).toEqual([c.objects.length, 0, 0, c.objects.length, 0]);
    expect(second.stdout).toContain('writes: 0 ');

    const client = await weaviate().client();
    for (const c of plan.collections)
      expect(await client.collections.use(c.name).length(), c.name).toBe(c.objects.length);
    const status = await client.collections.use('Metadata').query.fetchObjects({ limit: 10 });
    const record = status.objects.find((o) => o.properties.key === 'ingest-command');
    expect(record?.properties.state).toBe('completed');
    expect(JSON.parse(String(record?.properties.json)).collections.Skill.total).toBe(plan.expected.objects.Skill);
  });

  it('prints the report as JSON with --json, and exits 2 on an unknown flag', async () => {
    const run = await cli('--json');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.writes).toBe(0);
    expect(report.verify.objects).toBeGreaterThan(0);
    const bad = await cli('--no-such-flag');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('USAGE');
  });
});
