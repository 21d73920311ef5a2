/**
 * The bench's changed copy of a dataset (bench/changed-copy.ts) on the made-up sample: the real
 * reader reads it back with exactly the revised, removed and added concepts it counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEN_PERCENT, writeChangedCopy } from '../../bench/changed-copy.ts';
import { openDataset } from '../../src/esco/open.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../data/sample');
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-changed-copy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Concept {
  uri: string;
  label: string;
  description: string | null;
}

async function readConcepts(paths: readonly string[]): Promise<Map<string, Concept>> {
  const dataset = await openDataset(paths, { language: 'en', policy: 'strict', maxRejected: 0 });
  const concepts = new Map<string, Concept>();
  const add = (r: { conceptUri: string; preferredLabel: string; description: string | null }) => {
    concepts.set(r.conceptUri, { uri: r.conceptUri, label: r.preferredLabel, description: r.description });
  };
  await dataset.scan({ skills: add, occupations: add });
  return concepts;
}

describe('writeChangedCopy', () => {
  it('revises, removes and adds skills and occupations, and counts what it did', async () => {
    const original = await readConcepts([SAMPLE]);
    const copy = await writeChangedCopy([SAMPLE], path.join(scratch, 'ten'), { ...TEN_PERCENT, add: 3 });
    const changed = await readConcepts([copy.dir]);
    expect(copy.revised).toBeGreaterThan(0);
    expect(copy.removed).toBeGreaterThan(0);
    expect(copy.added).toBe(6);
    expect(changed.size).toBe(original.size - copy.removed + copy.added);
    const gone = [...original.keys()].filter((uri) => !changed.has(uri));
    expect(gone).toHaveLength(copy.removed);
    const added = [...changed.values()].filter((c) => !original.has(c.uri));
    expect(added).toHaveLength(copy.added);
    for (const c of added) expect(c.label).toMatch(/ \(added \d+\)$/);
    const revised = [...changed.values()].filter((c) => {
      const before = original.get(c.uri);
      return before !== undefined && (before.label !== c.label || before.description !== c.description);
    });
    expect(revised).toHaveLength(copy.revised);
    for (const c of revised) expect(`${c.label}|${c.description}`).toContain(' (revised)');
    // Both texts the module vectorizes are changed, not only one.
    expect(revised.some((c) => c.label.endsWith(' (revised)'))).toBe(true);
    expect(revised.some((c) => (c.description ?? '').endsWith(' (revised)'))).toBe(true);
  });
});
