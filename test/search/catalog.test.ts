/**
 * `collection=` is checked against the collections the data holds: unknown keys and collections
 * without members of the searched type are refused, and the stored list is read again before a
 * refusal (a new ingest may have added a collection).
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/http-errors.ts';
import { CollectionCatalog, type CollectionMembers, collectionIssues } from '../../src/search/catalog.ts';
import { pinOf } from '../../src/search/generation-pin.ts';
import { published } from './statuses.ts';

const SAMPLE: CollectionMembers = new Map([
  ['digitalSkills', { skill: 10, occupation: 0 }],
  ['greenSkills', { skill: 13, occupation: 0 }],
  ['researchOccupations', { skill: 0, occupation: 2 }],
]);
const G7 = pinOf(published(7));

describe('collectionIssues', () => {
  it('accepts known collections with members of the type', () => {
    expect(collectionIssues(['digitalSkills', 'greenSkills'], 'skill', SAMPLE)).toEqual([]);
    expect(collectionIssues(['researchOccupations'], 'occupation', SAMPLE)).toEqual([]);
  });

  it('refuses unknown keys, listing the known ones', () => {
    expect(collectionIssues(['digitalSkills', 'languageSkills'], 'skill', SAMPLE)).toEqual([
      {
        path: 'collection',
        message: 'no collection languageSkills in the data; it has: digitalSkills, greenSkills, researchOccupations',
      },
    ]);
    expect(collectionIssues(['greenSkills'], 'skill', new Map())[0]?.message).toContain('it has: none');
  });

  it('refuses a collection without members of the type, naming the type it holds', () => {
    expect(collectionIssues(['researchOccupations'], 'skill', SAMPLE)).toEqual([
      {
        path: 'collection',
        message: 'collection researchOccupations holds no skills (its members are occupations: use type=occupation)',
      },
    ]);
    expect(collectionIssues(['digitalSkills'], 'occupation', SAMPLE)[0]?.message).toContain('use type=skill');
  });
});

describe('CollectionCatalog', () => {
  function catalog(...loads: CollectionMembers[]) {
    const calls = { count: 0 };
    const load = async () => loads[Math.min(calls.count++, loads.length - 1)] ?? new Map();
    return { catalog: new CollectionCatalog(load), calls };
  }

  it('reads the collections once while every key is known', async () => {
    const { catalog: c, calls } = catalog(SAMPLE);
    await c.check(['digitalSkills'], 'skill', G7);
    await c.check(['greenSkills', 'digitalSkills'], 'skill', G7);
    expect(calls.count).toBe(1);
  });

  it('reads them again before refusing, and accepts a collection added since', async () => {
    const later = new Map([...SAMPLE, ['languageSkills', { skill: 4, occupation: 0 }]]);
    const { catalog: c, calls } = catalog(SAMPLE, later);
    await c.check(['digitalSkills'], 'skill', G7);
    await c.check(['languageSkills'], 'skill', G7);
    expect(calls.count).toBe(2);
  });

  it('refuses with a BadRequest when the fresh list does not have the key either', async () => {
    const { catalog: c, calls } = catalog(SAMPLE);
    await expect(c.check(['digitalSkills'], 'skill', G7)).resolves.toBeUndefined();
    const refused = c.check(['nope'], 'skill', G7);
    await expect(refused).rejects.toBeInstanceOf(BadRequest);
    await expect(refused).rejects.toMatchObject({ issues: [{ path: 'collection' }] });
    expect(calls.count).toBe(2);
  });

  it("reads them again for another generation, from that generation's collection", async () => {
    const loaded: (number | null)[] = [];
    const c = new CollectionCatalog(async (pin) => {
      loaded.push(pin.generation);
      return SAMPLE;
    });
    await c.check(['digitalSkills'], 'skill', G7);
    await c.check(['digitalSkills'], 'skill', G7);
    await c.check(['digitalSkills'], 'skill', pinOf(published(8)));
    await c.check(['digitalSkills'], 'skill', pinOf(null));
    expect(loaded).toEqual([7, 8, null]);
  });
});
