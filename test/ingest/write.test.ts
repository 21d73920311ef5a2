import { describe, expect, it } from 'vitest';
import { EscoInitError, isEscoInitError } from '../../src/errors.ts';
import { throwIfInterrupted } from '../../src/ingest/context.ts';
import type { CollectionPlan, Plan } from '../../src/ingest/plan.ts';
import { pickSample, propertyDifference } from '../../src/ingest/verify.ts';
import { diffCollection, dirtyIds, PENDING_HASH } from '../../src/ingest/write.ts';

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

describe('throwIfInterrupted', () => {
  it('maps the abort reason to the interruption code and passes our own errors through', () => {
    const c = new AbortController();
    expect(() => throwIfInterrupted(c.signal)).not.toThrow();
    c.abort('SIGINT');
    expect(() => throwIfInterrupted(c.signal)).toThrow(expect.objectContaining({ code: 'INTERRUPTED_SIGINT' }));
    const t = new AbortController();
    t.abort('SIGTERM');
    expect(() => throwIfInterrupted(t.signal)).toThrow(expect.objectContaining({ code: 'INTERRUPTED_SIGTERM' }));
    const own = new AbortController();
    own.abort(new EscoInitError('LOCK_LOST', 'lease taken over'));
    let caught: unknown;
    try {
      throwIfInterrupted(own.signal);
    } catch (error) {
      caught = error;
    }
    expect(isEscoInitError(caught, 'LOCK_LOST')).toBe(true);
  });
});

describe('verification helpers', () => {
  it('compares properties as Weaviate returns them: dates as instants, absent = empty', () => {
    expect(
      propertyDifference(
        { d: '2021-03-04T10:11:12.1Z', l: ['x'] },
        { d: new Date('2021-03-04T10:11:12.100Z'), l: ['x'], e: [] },
      ),
    ).toBeNull();
    expect(propertyDifference({ l: ['x', 'y'] }, { l: ['y', 'x'] })).toMatch(/^l is/);
    expect(propertyDifference({ a: 'x' }, { a: 'x', b: 'extra' })).toMatch(/^b is "extra", the dataset has undefined/);
  });

  it('samples spread over the whole list, deterministically', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(pickSample(items, 4)).toEqual([0, 25, 50, 75]);
    expect(pickSample(items, 0)).toEqual([]);
    expect(pickSample([1, 2], 10)).toEqual([1, 2]);
  });
});
