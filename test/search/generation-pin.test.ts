/**
 * The generation a request reads (src/search/generation-pin.ts), over a fake status reader whose
 * reads the test answers one by one, and a clock the test moves: the status is read at most once
 * per max age and once for a burst, read again when a query meets a dropped generation, and the
 * plain names serve data written before generations.
 */
import { describe, expect, it } from 'vitest';
import { GenerationPin, isCollectionGone, type Pin } from '../../src/search/generation-pin.ts';
import type { DatasetStatus } from '../../src/status/status-store.ts';
import { published } from './statuses.ts';

/** A status reader whose reads stay pending until the test answers them, in order. */
function reader() {
  const pending: ((status: DatasetStatus | null) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  let reads = 0;
  const read = () => {
    reads += 1;
    return new Promise<DatasetStatus | null>((resolve, reject) => {
      pending.push(resolve);
      failures.push(reject);
    });
  };
  /** Answers the oldest pending read; throws when none is pending. */
  const answer = async (status: DatasetStatus | null) => {
    const next = pending.shift();
    failures.shift();
    if (!next) throw new Error('no read is pending');
    next(status);
    await settled();
  };
  const fail = async (error: Error) => {
    pending.shift();
    const next = failures.shift();
    if (!next) throw new Error('no read is pending');
    next(error);
    await settled();
  };
  return { read, answer, fail, reads: () => reads, pending: () => pending.length };
}

/** Lets every promise reaction that is ready run (the pin's reads chain a few). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

function pinOver(r: ReturnType<typeof reader>) {
  const time = { now: 0 };
  const pin = new GenerationPin(r.read, { maxAgeMs: 1000, now: () => time.now });
  return { pin, time };
}

/** What weaviate-client throws for a query of a collection that is not there (checked on 1.38). */
function goneError(collection: string): Error {
  const error = new Error(
    `Query call with protocol gRPC failed with message: /weaviate.v1.Weaviate/Search UNKNOWN: could not find class ${collection} in schema`,
  );
  error.name = 'WeaviateQueryError';
  return error;
}

describe('GenerationPin.current', () => {
  it("names the status record's generation, its collections and its dataset's fingerprint", async () => {
    const r = reader();
    const { pin } = pinOver(r);
    const current = pin.current();
    await r.answer(published(7, 'abcdef0123456789'.repeat(4)));
    const p = await current;
    expect(p.generation).toBe(7);
    expect(p.fingerprint).toBe('abcdef012345');
    expect(['Skill', 'Occupation', 'ConceptCollection'].map((n) => p.collection(n))).toEqual([
      'Skill_g7',
      'Occupation_g7',
      'ConceptCollection_g7',
    ]);
  });

  it('reads the status once for a burst of requests, and not again within the max age', async () => {
    const r = reader();
    const { pin, time } = pinOver(r);
    const burst = Array.from({ length: 5 }, () => pin.current());
    expect(r.reads()).toBe(1);
    await r.answer(published(7));
    expect((await Promise.all(burst)).map((p) => p.generation)).toEqual([7, 7, 7, 7, 7]);
    time.now = 999;
    expect((await pin.current()).generation).toBe(7);
    expect(r.reads()).toBe(1);
  });

  it('reads it again once the max age has passed, and then names the new generation', async () => {
    const r = reader();
    const { pin, time } = pinOver(r);
    const first = pin.current();
    await r.answer(published(7));
    expect((await first).generation).toBe(7);
    time.now = 1000;
    const later = [pin.current(), pin.current()];
    expect(r.reads()).toBe(2);
    await r.answer(published(8));
    expect((await Promise.all(later)).map((p) => p.generation)).toEqual([8, 8]);
  });

  it('does not keep a failed read: the requests waiting on it fail, and the next request reads again', async () => {
    const r = reader();
    const { pin } = pinOver(r);
    const waiting = [pin.current(), pin.current()].map((w) => expect(w).rejects.toThrow('Weaviate is down'));
    await r.fail(new Error('Weaviate is down'));
    await Promise.all(waiting);
    const next = pin.current();
    expect(r.reads()).toBe(2);
    await r.answer(published(7));
    expect((await next).generation).toBe(7);
  });
});

describe('the plain names (no generation)', () => {
  it.each([
    ['no status record (a Weaviate filled by `esco-init ingest`)', null],
    ['a status record without a generation (data from before generations)', { ...published(7), generation: null }],
  ])('%s: queries read the published names themselves, generation null', async (_why, status) => {
    const r = reader();
    const { pin } = pinOver(r);
    const current = pin.current();
    await r.answer(status);
    const p = await current;
    expect(p.generation).toBeNull();
    expect(p.collection('Skill')).toBe('Skill');
    expect(p.collection('ConceptCollection')).toBe('ConceptCollection');
  });

  it('has no fingerprint without a status record', async () => {
    const r = reader();
    const { pin } = pinOver(r);
    const current = pin.current();
    await r.answer(null);
    expect(await current).toMatchObject({ generation: null, fingerprint: null, status: null });
  });
});

describe('GenerationPin.refresh', () => {
  it('does not settle for a read begun before it was asked: it waits that one out and reads again', async () => {
    const r = reader();
    const { pin } = pinOver(r);
    const early = pin.current();
    const fresh = [pin.refresh(), pin.refresh()];
    expect(r.reads()).toBe(1);
    await r.answer(published(7));
    expect((await early).generation).toBe(7);
    // Both refreshes share the one read begun after they were asked.
    expect(r.reads()).toBe(2);
    await r.answer(published(8));
    expect((await Promise.all(fresh)).map((p) => p.generation)).toEqual([8, 8]);
    expect(r.pending()).toBe(0);
  });

  it('replaces the cached pin, so the next request within the max age reads the new generation', async () => {
    const r = reader();
    const { pin } = pinOver(r);
    const first = pin.current();
    await r.answer(published(7));
    await first;
    const refreshed = pin.refresh();
    await r.answer(published(8));
    expect((await refreshed).generation).toBe(8);
    expect((await pin.current()).generation).toBe(8);
    expect(r.reads()).toBe(2);
  });
});

describe('GenerationPin.run', () => {
  async function pinnedAt(generation: number) {
    const r = reader();
    const { pin } = pinOver(r);
    const first = pin.current();
    await r.answer(published(generation));
    await first;
    return { r, pin };
  }

  it('runs the query on the current pin and says which one answered', async () => {
    const { pin } = await pinnedAt(7);
    const asked: string[] = [];
    const answered = await pin.run(async (p: Pin) => {
      asked.push(p.collection('Skill'));
      return 'hits';
    });
    expect(answered).toMatchObject({ pin: { generation: 7 }, result: 'hits' });
    expect(asked).toEqual(['Skill_g7']);
  });

  it('when the pinned generation was dropped, reads the status at once and runs the query again on the new one', async () => {
    const { r, pin } = await pinnedAt(7);
    const asked: string[] = [];
    const running = pin.run(async (p: Pin) => {
      const name = p.collection('Skill');
      asked.push(name);
      if (name === 'Skill_g7') throw goneError(name);
      return 'hits';
    });
    await settled();
    expect(r.reads()).toBe(2); // within the max age: read because of the failure
    await r.answer(published(8));
    expect(await running).toMatchObject({ pin: { generation: 8 }, result: 'hits' });
    expect(asked).toEqual(['Skill_g7', 'Skill_g8']);
  });

  it("fails with the query's error when the status still names the same generation (no second try)", async () => {
    const { r, pin } = await pinnedAt(7);
    let tries = 0;
    const running = pin.run(async (p: Pin) => {
      tries += 1;
      throw goneError(p.collection('Skill'));
    });
    const failed = expect(running).rejects.toThrow('could not find class Skill_g7');
    await settled();
    await r.answer(published(7));
    await failed;
    expect(tries).toBe(1);
  });

  it('passes any other failure on without reading the status again', async () => {
    const { r, pin } = await pinnedAt(7);
    const running = pin.run(async () => {
      throw new Error('connection refused');
    });
    await expect(running).rejects.toThrow('connection refused');
    expect(r.reads()).toBe(1);
  });
});

describe('isCollectionGone', () => {
  it("is Weaviate's answer for a collection that is not there: a query's message, the schema's 404", () => {
    expect(isCollectionGone(goneError('Skill_g7'))).toBe(true);
    const aggregate = new Error(
      'Query call with protocol gRPC failed with message: /weaviate.v1.Weaviate/Aggregate UNKNOWN: parse params: could not find class Skill_g7 in schema',
    );
    aggregate.name = 'WeaviateQueryError';
    expect(isCollectionGone(aggregate)).toBe(true);
    const schema = Object.assign(new Error('The request to Weaviate failed with status code: 404 and message: '), {
      name: 'WeaviateUnexpectedStatusCodeError',
      code: 404,
    });
    expect(isCollectionGone(schema)).toBe(true);
  });

  it('is not any other failure', () => {
    const unavailable = new Error(
      'Query call with protocol gRPC failed with message: /weaviate.v1.Weaviate/Search UNAVAILABLE: no connection',
    );
    unavailable.name = 'WeaviateQueryError';
    expect(isCollectionGone(unavailable)).toBe(false);
    expect(isCollectionGone(new Error('could not find class Skill_g7 in schema'))).toBe(false);
  });
});
