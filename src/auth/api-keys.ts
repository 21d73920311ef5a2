/**
 * The search service's API keys by role: who is calling. Only the sha256 digest of each secret is
 * kept, so nothing here (errors, JSON, util.inspect, logs) can ever show a secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { API_ROLES, type ApiRole, type Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';

/** Who presented a valid key: the key's name (what logs and audit lines say) and its role. */
export interface Caller {
  readonly name: string;
  readonly role: ApiRole;
}

interface Entry {
  readonly caller: Caller;
  readonly digest: Buffer;
}

export class ApiKeys {
  readonly #entries: readonly Entry[];

  constructor(auth: Config['auth']) {
    const keys = API_ROLES.flatMap((role) => auth[role].map((key) => ({ role, ...key })));
    refuseDuplicates(keys);
    this.#entries = keys.map(({ role, name, secret }) => ({ caller: { name, role }, digest: digestOf(secret) }));
  }

  /**
   * The caller whose key is `Authorization: Bearer <secret>`, or null (no header, another scheme,
   * or an unknown key). Every configured key is compared, whether or not one already matched, and
   * digests of equal length are compared: the time taken tells neither which key matched nor how
   * much of a secret was right.
   */
  identify(authorization: string | undefined): Caller | null {
    const secret = bearerSecret(authorization);
    if (secret === null) return null;
    const presented = digestOf(secret);
    let found: Caller | null = null;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    }
    return found;
  }

  /** True when at least one key of `role` is configured. */
  configured(role: ApiRole): boolean {
    return this.#entries.some((e) => e.caller.role === role);
  }

  /** Key names by role: what JSON and util.inspect show (never a secret, nor its digest). */
  toJSON(): Record<ApiRole, string[]> {
    const names = (role: ApiRole) => this.#entries.filter((e) => e.caller.role === role).map((e) => e.caller.name);
    return { reader: names('reader'), monitor: names('monitor'), admin: names('admin') };
  }

  [inspect.custom](): string {
    return `ApiKeys ${inspect(this.toJSON())}`;
  }
}

/** The secret of `Bearer <secret>` (scheme case-insensitive, RFC 9110), or null when malformed or absent. */
export function bearerSecret(authorization: string | undefined): string | null {
  const match = /^bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * One name and one secret per key: a secret under two names (or two roles) would make the caller
 * ambiguous, and two keys of one name would make logs ambiguous. Errors name keys, never secrets.
 */
function refuseDuplicates(keys: readonly { role: ApiRole; name: string; secret: string }[]): void {
  const byName = new Map<string, ApiRole>();
  const bySecret = new Map<string, { role: ApiRole; name: string }>();
  for (const { role, name, secret } of keys) {
    const sameName = byName.get(name);
    if (sameName !== undefined) {
      throw new EscoInitError(
        'CONFIG_INVALID',
        `two API keys are named "${name}" (${sameName} and ${role}); give every key its own name (name:secret)`,
      );
    }
    const sameSecret = bySecret.get(secret);
    if (sameSecret !== undefined) {
      throw new EscoInitError(
        'CONFIG_INVALID',
        `API keys "${sameSecret.name}" (${sameSecret.role}) and "${name}" (${role}) have the same secret; ` +
          'give every key its own secret (an admin key already passes every route)',
      );
    }
    byName.set(name, role);
    bySecret.set(secret, { role, name });
  }
}
