import { describe, expect, it } from 'vitest';
import { diffCollection, dirtyIds, hashesOf, type StoredHashes } from '../../src/ingest/changes.ts';
import type { CollectionPlan, Plan } from '../../src/ingest/plan.ts';
import { PENDING_HASH } from '../../src/ingest/write.ts';

const object = (id: string, hash: string) => ({ id, uri: `uri-${id}`, json: '{}', references: {}, hash });
const skills: CollectionPlan = {
  name: 'Skill',
  objects: [object('a', 'h1'), object('b', 'h2'), object('c', 'h3')],
  referenceTotals: {},
  referenceTargets: {},
};

describe('diffCollection', () => {
  it('sorts objects into added, changed (incl. pending), unchanged and stale', () => {
    const stored = new Map([
      ['b', 'h2'],
      ['c', PENDING_HASH],
      ['z', 'h9'],
    ]);
    const diff = diffCollection(skills, stored);
    expect(diff.added.map((o) => o.id)).toEqual(['a']);
    expect(diff.changed.map((o) => o.id)).toEqual(['c']);
    expect(diff.unchanged).toBe(1);
    expect(diff.stale).toEqual(['z']);
    expect(dirtyIds({ collections: [skills] } as Plan, new Map([['Skill', stored]]))).toEqual(new Set(['a', 'c']));
  });
});

describe('hashesOf', () => {
  it('adds an empty map for a collection not read yet, so that writes record into the state', () => {
    const state: StoredHashes = new Map();
    hashesOf(state, 'Skill').set('a', 'h1');
    expect(state.get('Skill')).toEqual(new Map([['a', 'h1']]));
    expect(hashesOf(state, 'Skill')).toBe(state.get('Skill'));
  });
});
