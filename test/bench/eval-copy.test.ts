/**
 * The evaluation's copy of a dataset (bench/eval-copy.ts) on the made-up sample: the real reader
 * reads it back with the same concepts and exactly the kept labels.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCopy, readConcepts, writeHeldOutCopy } from '../../bench/eval-copy.ts';
import { holdOutLabels, labelKey } from '../../bench/eval-split.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../data/sample');
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-eval-copy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('writeHeldOutCopy', () => {
  it('writes every file, and only the held-out labels are gone', async () => {
    const concepts = await readConcepts([SAMPLE]);
    const split = holdOutLabels(concepts, { fraction: 0.5, seed: 'test' });
    expect(split.heldOut.length).toBeGreaterThan(0);
    const dir = path.join(scratch, 'copy');
    const taken = await writeHeldOutCopy([SAMPLE], dir, split);
    expect(taken).toBeGreaterThanOrEqual(split.heldOut.length);
    expect(readdirSync(dir).sort()).toEqual(
      readdirSync(SAMPLE)
        .filter((f) => f.endsWith('.csv'))
        .sort(),
    );
    await checkCopy(dir, concepts, split);
    const copied = new Map((await readConcepts([dir])).map((c) => [c.uri, c]));
    for (const h of split.heldOut) {
      expect(copied.get(h.uri)?.altLabels.map(labelKey)).not.toContain(labelKey(h.label));
    }
  });

  it('checkCopy notices a copy that still holds a held-out label', async () => {
    const concepts = await readConcepts([SAMPLE]);
    const split = holdOutLabels(concepts, { fraction: 0.5, seed: 'test' });
    const nothingRemoved = { ...split, removed: new Map() };
    const dir = path.join(scratch, 'unchanged');
    await writeHeldOutCopy([SAMPLE], dir, nothingRemoved);
    await expect(checkCopy(dir, concepts, split)).rejects.toThrow(/kept labels/);
  });
});
