import { describe, expect, it } from 'vitest';
import { beaconIds, idRanges } from '../../src/weaviate/rest.ts';

const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-5000-8000-000000000000`;

/** Which range an id falls in: (after, upTo], an open end meaning "from the start" / "to the end". */
function rangeOf(ranges: ReturnType<typeof idRanges>, id: string): number[] {
  return ranges.flatMap((r, i) =>
    (r.after === undefined || id > r.after) && (r.upTo === undefined || id <= r.upTo) ? [i] : [],
  );
}

describe('idRanges', () => {
  it('covers every id, planned or not, exactly once', () => {
    const ids = Array.from({ length: 10 }, (_, i) => uuid(i * 2 + 1)).reverse();
    const ranges = idRanges(ids, 3);
    expect(ranges).toHaveLength(4);
    for (let n = 0; n <= 22; n++) expect(rangeOf(ranges, uuid(n))).toHaveLength(1);
    expect(rangeOf(ranges, 'ffffffff-ffff-5fff-bfff-ffffffffffff')).toEqual([3]);
    expect(rangeOf(ranges, '00000000-0000-0000-0000-000000000000')).toEqual([0]);
  });

  it('puts about `size` planned ids in each range', () => {
    const ids = Array.from({ length: 10 }, (_, i) => uuid(i));
    const counts = idRanges(ids, 3).map((r) => ids.filter((id) => rangeOf([r], id).length === 1).length);
    expect(counts).toEqual([3, 3, 3, 1]);
  });

  it('is one open range for few ids', () => {
    expect(idRanges([uuid(1), uuid(2)], 5)).toEqual([{ after: undefined }]);
    expect(idRanges([], 5)).toEqual([{ after: undefined }]);
  });
});

describe('beaconIds', () => {
  it('takes the target id from each beacon', () => {
    const value = [{ beacon: `weaviate://localhost/Skill/${uuid(1)}` }, { beacon: `weaviate://localhost/${uuid(2)}` }];
    expect(beaconIds(value)).toEqual([uuid(1), uuid(2)]);
    expect(beaconIds(undefined)).toEqual([]);
  });
});
