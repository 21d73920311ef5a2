import { describe, expect, it } from 'vitest';
import { pickSample, propertyDifference } from '../../src/ingest/verify.ts';

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
