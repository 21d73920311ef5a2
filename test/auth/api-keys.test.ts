import { inspect } from 'node:util';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKeys, bearerSecret } from '../../src/auth/api-keys.ts';
import { isEscoInitError } from '../../src/errors.ts';
import { ALL_KEYS, bearer, NO_KEYS, SECRETS } from './fixtures.ts';

// A spy around the real comparison: it shows how many comparisons each identify() makes.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});
const { timingSafeEqual } = await import('node:crypto');
const compare = vi.mocked(timingSafeEqual);

describe('ApiKeys.identify', () => {
  it('names the caller of each configured key, with its role', () => {
    const keys = new ApiKeys(ALL_KEYS);
    expect(keys.identify(bearer(SECRETS.reader))).toEqual({ name: 'search-app', role: 'reader' });
    expect(keys.identify(bearer(SECRETS.monitor))).toEqual({ name: 'prometheus', role: 'monitor' });
    expect(keys.identify(bearer(SECRETS.admin))).toEqual({ name: 'ops', role: 'admin' });
  });

  it('reads the Bearer scheme in any case and refuses other schemes and shapes', () => {
    const keys = new ApiKeys(ALL_KEYS);
    expect(keys.identify(`bearer ${SECRETS.reader}`)).toEqual({ name: 'search-app', role: 'reader' });
    expect(keys.identify(`BEARER ${SECRETS.reader}`)).toEqual({ name: 'search-app', role: 'reader' });
    for (const header of [
      undefined,
      '',
      SECRETS.reader,
      `Basic ${SECRETS.reader}`,
      'Bearer',
      'Bearer ',
      `Bearer ${SECRETS.reader} extra`,
      `Bearer${SECRETS.reader}`,
    ]) {
      expect(keys.identify(header), String(header)).toBeNull();
    }
  });

  it('refuses an unknown key, a prefix of a key and a key with more after it', () => {
    const keys = new ApiKeys(ALL_KEYS);
    expect(keys.identify(bearer('not-a-configured-key-at-all'))).toBeNull();
    expect(keys.identify(bearer(SECRETS.reader.slice(0, -1)))).toBeNull();
    expect(keys.identify(bearer(`${SECRETS.reader}x`))).toBeNull();
  });

  it('knows which roles have keys', () => {
    const keys = new ApiKeys({ ...NO_KEYS, monitor: ALL_KEYS.monitor });
    expect([keys.configured('reader'), keys.configured('monitor'), keys.configured('admin')]).toEqual([
      false,
      true,
      false,
    ]);
    expect(new ApiKeys(NO_KEYS).identify(bearer(SECRETS.reader))).toBeNull();
  });
});

describe('ApiKeys compares in constant time', () => {
  const many = {
    reader: [
      { name: 'r1', secret: 'r1-secret-0123456789' },
      { name: 'r2', secret: 'r2-secret-0123456789' },
    ],
    monitor: [{ name: 'm1', secret: 'm1-secret-0123456789' }],
    admin: [{ name: 'a1', secret: 'a1-secret-0123456789' }],
  };
  beforeEach(() => {
    compare.mockClear();
  });

  it('compares the presented key with every configured key, whichever matches and if none does', () => {
    const keys = new ApiKeys(many);
    for (const [secret, name] of [
      ['r1-secret-0123456789', 'r1'],
      ['a1-secret-0123456789', 'a1'],
      ['wrong', undefined],
    ] as const) {
      compare.mockClear();
      expect(keys.identify(bearer(secret))?.name).toBe(name);
      expect(compare).toHaveBeenCalledTimes(4);
    }
  });

  it('compares digests of one length, so a short or long key takes as long as a right one', () => {
    const keys = new ApiKeys(many);
    keys.identify(bearer('x'));
    keys.identify(bearer('y'.repeat(500)));
    keys.identify(bearer('r2-secret-0123456789'));
    expect(compare).toHaveBeenCalledTimes(12);
    for (const [a, b] of compare.mock.calls) {
      expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
    }
  });
});

describe('ApiKeys refuses ambiguous keys', () => {
  function refusal(auth: ConstructorParameters<typeof ApiKeys>[0]): Error {
    try {
      new ApiKeys(auth);
    } catch (error) {
      expect(isEscoInitError(error, 'CONFIG_INVALID')).toBe(true);
      return error as Error;
    }
    throw new Error('expected ApiKeys to refuse the configuration');
  }

  it('refuses one secret under two roles, naming the keys and not the secret', () => {
    const error = refusal({ ...ALL_KEYS, admin: [{ name: 'ops', secret: SECRETS.reader }] });
    expect(error.message).toContain('"search-app" (reader)');
    expect(error.message).toContain('"ops" (admin)');
    expectNoSecret(error);
  });

  it('refuses one secret under two names of one role', () => {
    const error = refusal({ ...NO_KEYS, reader: [...ALL_KEYS.reader, { name: 'other', secret: SECRETS.reader }] });
    expect(error.message).toContain('"search-app" (reader) and "other" (reader)');
    expectNoSecret(error);
  });

  it('refuses two keys of one name, in one role or two', () => {
    const twoRoles = refusal({ ...ALL_KEYS, admin: [{ name: 'search-app', secret: SECRETS.admin }] });
    expect(twoRoles.message).toContain('"search-app" (reader and admin)');
    expectNoSecret(twoRoles);
    const oneRole = refusal({
      ...NO_KEYS,
      monitor: [...ALL_KEYS.monitor, { name: 'prometheus', secret: SECRETS.admin }],
    });
    expect(oneRole.message).toContain('"prometheus" (monitor and monitor)');
    expectNoSecret(oneRole);
  });
});

describe('ApiKeys never shows a secret', () => {
  it('shows key names by role in JSON and util.inspect, and no secret', () => {
    const keys = new ApiKeys(ALL_KEYS);
    const names = { reader: ['search-app'], monitor: ['prometheus'], admin: ['ops'] };
    expect(JSON.parse(JSON.stringify(keys))).toEqual(names);
    expect(JSON.stringify({ keys })).toContain('"search-app"');
    expect(inspect(keys, { depth: Infinity, showHidden: true })).toContain('search-app');
    expectNoSecret(JSON.stringify(keys), inspect(keys, { depth: Infinity, showHidden: true }), String(keys));
  });
});

function expectNoSecret(...shown: unknown[]): void {
  for (const item of shown) {
    const text = item instanceof Error ? `${item.message} ${inspect(item)} ${JSON.stringify(item)}` : String(item);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  }
}

describe('bearerSecret', () => {
  it('takes the token of a Bearer header', () => {
    expect(bearerSecret('Bearer abc')).toBe('abc');
    expect(bearerSecret('bearer   abc  ')).toBe('abc');
    expect(bearerSecret('Bearer a b')).toBeNull();
    expect(bearerSecret(undefined)).toBeNull();
  });
});
