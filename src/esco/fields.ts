/**
 * zod building blocks for ESCO cells: every cell arrives as a string (a missing optional column
 * as ""), leaves as clean typed data. Each failure carries a stable row code in `params.code`.
 */
import { z } from 'zod';
import type { RowCode } from './problems.ts';

type Ctx = z.core.$RefinementCtx<string>;

function fail(ctx: Ctx, code: RowCode, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { code } });
  return z.NEVER as never;
}

/** Trims and turns U+00A0 (no-break space) into a plain space. */
export function clean(value: string): string {
  return (value.includes('\u00a0') ? value.replaceAll('\u00a0', ' ') : value).trim();
}

const URI = /^https?:\/\/[^\s"<>|,;]+$/;

/** Optional free text: blank → null. */
export const text = z.string().transform((v) => clean(v) || null);

/** Text that must be present. */
export const requiredText = z
  .string()
  .transform((v, ctx) => clean(v) || fail(ctx, 'MISSING_VALUE', 'must not be blank'));

export const uri = z.string().transform((v, ctx) => {
  const c = clean(v);
  if (!c) return fail(ctx, 'MISSING_VALUE', 'must not be blank');
  return URI.test(c) ? c : fail(ctx, 'INVALID_URI', 'expected an http(s) URI');
});

export const optionalUri = z.string().transform((v, ctx): string | null => {
  const c = clean(v);
  if (!c) return null;
  return URI.test(c) ? c : fail(ctx, 'INVALID_URI', 'expected an http(s) URI');
});

type Maybe<T, Blank extends boolean> = Blank extends true ? T | null : T;

/** A value from a fixed set; `blank` says whether the real data leaves it empty (→ null). */
export function oneOf<const T extends string, const Blank extends boolean>(
  values: readonly T[],
  options: { blank: Blank },
) {
  const allowed = new Set<string>(values);
  const expected = `expected one of ${values.join(', ')}${options.blank ? ' or blank' : ''}`;
  return z.string().transform((v, ctx): Maybe<T, Blank> => {
    const c = clean(v);
    if (!c)
      return options.blank ? (null as Maybe<T, Blank>) : fail(ctx, 'MISSING_VALUE', `must not be blank (${expected})`);
    return allowed.has(c) ? (c as T) : fail(ctx, 'INVALID_ENUM', expected);
  });
}

export function pattern<const Blank extends boolean>(re: RegExp, what: string, options: { blank: Blank }) {
  return z.string().transform((v, ctx): Maybe<string, Blank> => {
    const c = clean(v);
    if (!c)
      return options.blank
        ? (null as Maybe<string, Blank>)
        : fail(ctx, 'MISSING_VALUE', `must not be blank (expected ${what})`);
    return re.test(c) ? c : fail(ctx, 'INVALID_VALUE', `expected ${what}`);
  });
}

export interface Separator {
  split: RegExp;
  /** How the separator is shown in messages, e.g. `",\n"`. */
  name: string;
}
export const NEWLINE: Separator = { split: /\r?\n/, name: 'a newline' };
export const COMMA_NEWLINE: Separator = { split: /,\r?\n/, name: 'a comma and a newline' };
export const PIPE: Separator = { split: / \| /, name: '" | "' };

/** Items split with the file's separator, cleaned, without blanks or duplicates. */
export function splitList(value: string, sep: Separator): string[] {
  if (!value) return [];
  const items = new Set<string>();
  for (const item of value.split(sep.split)) {
    const c = clean(item);
    if (c) items.add(c);
  }
  return [...items];
}

export const textList = (sep: Separator) => z.string().transform((v) => splitList(v, sep));

/** A list of URIs; an item that still holds another separator means the file uses a different one. */
export const uriList = (sep: Separator) =>
  z.string().transform((v, ctx) => {
    const items = splitList(v, sep);
    for (const item of items) {
      if (URI.test(item)) continue;
      // URIs glued together by other separator characters: the file uses another separator.
      const parts = item.split(/[\s,;|]+/).filter(Boolean);
      if (parts.length > 0 && parts.every((p) => URI.test(p))) {
        return fail(ctx, 'WRONG_SEPARATOR', `expected URIs separated by ${sep.name}`);
      }
      return fail(ctx, 'INVALID_URI', `expected http(s) URIs separated by ${sep.name}, got "${item.slice(0, 40)}"`);
    }
    return items;
  });

const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

/** ISO 8601 date-time with any fractional precision (ESCO mixes Z, .9Z, .99Z, .999Z) → ms precision. */
export const dateTime = z.string().transform((v, ctx): string | null => {
  const c = clean(v);
  if (!c) return null;
  const parsed = parseDateTime(c);
  return parsed ?? fail(ctx, 'INVALID_DATE', 'expected an ISO 8601 date-time like 2016-12-20T17:43:43.123Z');
});

export function parseDateTime(value: string): string | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(utc);
  // Date.UTC rolls 2016-02-30 over into March: reject dates that do not exist.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23) return null;
  if (Number(mi) > 59 || Number(s) > 59) return null;
  const offset =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new Date(utc - offset * 60_000).toISOString();
}
