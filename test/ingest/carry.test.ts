import { describe, expect, it } from 'vitest';
import { carriedVector, vectorizedText, writeInGroups } from '../../src/ingest/carry.ts';
import type { PlannedObject } from '../../src/ingest/plan.ts';
import { requestSize, toRestObject } from '../../src/weaviate/batch-writer.ts';

const VECTORIZED = ['preferredLabel', 'altLabels', 'description'];
const published = {
  preferredLabel: 'use a lathe',
  altLabels: ['operate a lathe', 'run a lathe'],
  description: 'Work metal on a lathe safely and on time.',
};
const vector = [0.25, -0.5, 0.125];

function planned(properties: Record<string, unknown>): PlannedObject {
  return { id: 'a', uri: 'uri-a', json: JSON.stringify(properties), references: {}, hash: 'h' };
}
const carried = (properties: Record<string, unknown>, dimensions?: number) =>
  carriedVector(planned(properties), { properties: published, vector }, VECTORIZED, dimensions);

describe('carriedVector: the published vector, only for the same vectorized text', () => {
  it('carries the vector of an object whose vectorized text is the same, as float32', () => {
    const vectorOf = carried({ ...published, definition: 'anything' });
    expect(vectorOf).toBeInstanceOf(Float32Array);
    expect([...(vectorOf ?? [])]).toEqual(vector);
  });

  it('does not carry it when a label, the order of altLabels or the description changed', () => {
    expect(carried({ ...published, preferredLabel: 'use a metal lathe' })).toBeUndefined();
    expect(carried({ ...published, altLabels: ['run a lathe', 'operate a lathe'] })).toBeUndefined();
    expect(carried({ ...published, altLabels: ['operate a lathe'] })).toBeUndefined();
    expect(carried({ ...published, description: 'Work metal on a lathe.' })).toBeUndefined();
    const { description: _, ...withoutDescription } = published;
    expect(carried(withoutDescription)).toBeUndefined();
  });

  it('carries it when only properties that are not vectorized changed', () => {
    const changed = { ...published, hiddenLabels: ['lathing'], definition: 'new', scopeNote: 'new', status: 'x' };
    expect([...(carried(changed) ?? [])]).toEqual(vector);
  });

  it('does not carry a missing, empty or wrong-sized vector', () => {
    const o = planned(published);
    expect(carriedVector(o, undefined, VECTORIZED, 3)).toBeUndefined();
    expect(carriedVector(o, { properties: published }, VECTORIZED, 3)).toBeUndefined();
    expect(carriedVector(o, { properties: published, vector: [] }, VECTORIZED, undefined)).toBeUndefined();
    expect(carried(published, 384)).toBeUndefined();
    expect(carried(published, 3)).toBeDefined();
  });
});

describe('vectorizedText', () => {
  it('takes the vectorized properties in order and treats absent, null, "" and [] alike', () => {
    expect(vectorizedText({ a: 'x', b: ['y', 'z'], c: 'ignored' }, ['b', 'a'])).toBe('[["y","z"],"x"]');
    const absent = vectorizedText({ a: 'x' }, ['a', 'b']);
    expect(vectorizedText({ a: 'x', b: null }, ['a', 'b'])).toBe(absent);
    expect(vectorizedText({ a: 'x', b: '' }, ['a', 'b'])).toBe(absent);
    expect(vectorizedText({ a: 'x', b: [] }, ['a', 'b'])).toBe(absent);
    expect(vectorizedText({ a: 'x', b: 'y' }, ['a', 'b'])).not.toBe(absent);
  });
});

describe('writeInGroups', () => {
  it('writes every object once, in groups, each with the vectors read for it, reading one group ahead', async () => {
    const objects = Array.from({ length: 5 }, (_, i) => ({ ...planned({}), id: `o${i}` }));
    const events: string[] = [];
    const read = async (group: readonly PlannedObject[]) => {
      events.push(`read ${group.map((o) => o.id).join(',')}`);
      return new Map(group.filter((o) => o.id !== 'o1').map((o) => [o.id, new Float32Array([1])]));
    };
    const write = async (group: readonly PlannedObject[], vectors: Map<string, Float32Array>) => {
      events.push(`write ${group.map((o) => `${o.id}${vectors.has(o.id) ? '+v' : ''}`).join(',')}`);
      return group.length;
    };
    const { results, carried } = await writeInGroups(objects, read, write, 2);
    expect(results).toEqual([2, 2, 1]);
    expect(carried).toBe(4);
    expect(events).toEqual([
      'read o0,o1',
      'read o2,o3',
      'write o0+v,o1',
      'read o4',
      'write o2+v,o3+v',
      'read ',
      'write o4+v',
    ]);
  });

  it('stops at the first failed write, and a failed read ahead of it is not left unhandled', async () => {
    const objects = Array.from({ length: 4 }, (_, i) => ({ ...planned({}), id: `o${i}` }));
    let reads = 0;
    const read = async () => {
      reads++;
      if (reads > 1) throw new Error('read failed');
      return new Map<string, Float32Array>();
    };
    const writes: number[] = [];
    const write = async (group: readonly PlannedObject[]) => {
      writes.push(group.length);
      throw new Error('write failed');
    };
    await expect(writeInGroups(objects, read, write, 2)).rejects.toThrow('write failed');
    expect(writes).toEqual([2]);
  });
});

describe('a carried vector in the batch request', () => {
  it('is sent as the named vector "default", every float32 exactly, and counted in the request size', () => {
    const floats = new Float32Array([0.1, -2.5e-8, 1]);
    const target = { collection: 'Skill_g8', referenceTargets: {} };
    const object = { id: 'a', label: 'uri-a', json: '{"preferredLabel":"x"}', vector: floats };
    const sent = JSON.parse(toRestObject(target, object)) as { vectors: { default: number[] } };
    expect(new Float32Array(sent.vectors.default)).toEqual(floats);
    expect(sent.vectors.default[0]).toBe(Math.fround(0.1));
    expect(toRestObject(target, { ...object, vector: undefined })).not.toContain('vectors');
    const without = requestSize({ ...object, vector: undefined });
    expect(requestSize(object) - without).toBeGreaterThanOrEqual(`,"vectors":{"default":[${floats.join(',')}]}`.length);
  });
});
