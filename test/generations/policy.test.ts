import { describe, expect, it } from 'vitest';
import { generationName, parseGenerationName } from '../../src/generations/names.ts';
import {
  chooseTarget,
  generationsToDrop,
  keptGenerations,
  rollbackTarget,
  withGeneration,
} from '../../src/generations/policy.ts';
import { type DatasetStatus, type GenerationRecord, notStarted } from '../../src/status/status-store.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function gen(id: number, change: Partial<GenerationRecord> = {}): GenerationRecord {
  const at = '2026-12-03T00:00:00.000Z';
  return {
    id,
    fingerprint: A,
    schemaVersion: 's1',
    runId: `r${id}`,
    createdAt: at,
    completedAt: at,
    counts: null,
    ...change,
  };
}

function status(change: Partial<DatasetStatus>): DatasetStatus {
  return { ...notStarted('esco', '0.1.0'), fingerprint: A, schemaVersion: 's1', ...change };
}

const run = { fingerprint: A, schemaVersion: 's1', force: false, epoch: 9 };

describe('generation names', () => {
  it('names a generation after its collection and id, and reads that back; nothing else parses', () => {
    expect(generationName('Skill', 7)).toBe('Skill_g7');
    expect(parseGenerationName('ConceptCollection_g12')).toEqual({ collection: 'ConceptCollection', generation: 12 });
    for (const other of ['Skill', 'Skill_g', 'Skill_g0', 'Skill_g07', 'skill_g7', 'Skill_g7x', 'EscoInitLease_3'])
      expect(parseGenerationName(other)).toBeNull();
  });
});

describe('chooseTarget', () => {
  it('builds a new generation named after the epoch when nothing is unfinished', () => {
    expect(chooseTarget({ ...run, status: null, existing: [] })).toMatchObject({ generation: 9, resumes: false });
  });

  it('resumes the unfinished generation of the same dataset and schema, if it still exists', () => {
    const resume = { fingerprint: A, schemaVersion: 's1', passes: ['objects'], generation: 8 };
    const failed = status({ state: 'failed', generation: 7, resume });
    expect(chooseTarget({ ...run, status: failed, existing: [7, 8] })).toMatchObject({ generation: 8, resumes: true });
    expect(chooseTarget({ ...run, status: failed, existing: [7] })).toMatchObject({ generation: 9, resumes: false });
    expect(chooseTarget({ ...run, fingerprint: B, status: failed, existing: [7, 8] })).toMatchObject({ generation: 9 });
    expect(chooseTarget({ ...run, force: true, status: failed, existing: [7, 8] })).toMatchObject({ generation: 9 });
  });

  it('never builds into the published generation, not even for the same dataset', () => {
    const completed = status({ state: 'completed', generation: 7, generations: [gen(7)] });
    expect(chooseTarget({ ...run, status: completed, existing: [7] })).toMatchObject({ generation: 9, resumes: false });
    const resume = { fingerprint: A, schemaVersion: 's1', passes: [], generation: 7 };
    const odd = status({ state: 'failed', generation: 7, resume });
    expect(chooseTarget({ ...run, status: odd, existing: [7] })).toMatchObject({ generation: 9 });
  });
});

describe('retention', () => {
  const published = status({
    state: 'completed',
    generation: 7,
    generations: [gen(3), gen(5), gen(7), gen(8, { completedAt: null })],
  });

  it('keeps the published generation and the newest `keep` complete ones before it', () => {
    expect(keptGenerations(published, 1)).toEqual([7, 5]);
    expect(keptGenerations(published, 0)).toEqual([7]);
    expect(keptGenerations(published, 5)).toEqual([7, 5, 3]);
  });

  it('drops orphans and what is not kept, never the one being built', () => {
    expect(generationsToDrop({ status: published, existing: [3, 5, 7, 8, 11], keep: 1, building: 11 })).toEqual([3, 8]);
    expect(generationsToDrop({ status: null, existing: [3, 4], keep: 1, building: 4 })).toEqual([3]);
    // The status record was lost (Metadata deleted): what the aliases publish is kept all the same.
    const aliased = { state: 'generation', generation: 3 } as const;
    expect(generationsToDrop({ status: null, existing: [2, 3, 4], keep: 1, building: 4, aliased })).toEqual([2]);
  });

  it('lists only generations that exist, the new record replacing its old one', () => {
    const list = withGeneration([gen(3), gen(5)], gen(5, { counts: { objects: 1 } }), [5]);
    expect(list).toEqual([gen(5, { counts: { objects: 1 } })]);
  });
});

describe('rollbackTarget', () => {
  it('is the newest complete generation other than the published one that still exists', () => {
    const s = status({
      state: 'completed',
      generation: 7,
      generations: [gen(3), gen(5), gen(7), gen(8, { completedAt: null })],
    });
    expect(rollbackTarget(s, [3, 5, 7, 8])).toMatchObject({ generation: { id: 5 } });
    expect(rollbackTarget(s, [3, 7, 8])).toMatchObject({ generation: { id: 3 } });
    expect(rollbackTarget(s, [7, 8])).toMatchObject({ none: expect.stringMatching(/no earlier complete generation/) });
    expect(rollbackTarget(status({}), [])).toEqual({ none: 'nothing is published yet' });
  });
});
