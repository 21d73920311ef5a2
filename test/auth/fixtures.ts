import type { Config } from '../../src/config/config.ts';

/** One key per role; the secrets are long enough for the config schema (16+ characters). */
export const SECRETS = {
  reader: 'reader-secret-0123456789abcdef',
  monitor: 'monitor-secret-0123456789abcdef',
  admin: 'admin-secret-0123456789abcdef',
} as const;

export const ALL_KEYS: Config['auth'] = {
  reader: [{ name: 'search-app', secret: SECRETS.reader }],
  monitor: [{ name: 'prometheus', secret: SECRETS.monitor }],
  admin: [{ name: 'ops', secret: SECRETS.admin }],
};

export const NO_KEYS: Config['auth'] = { reader: [], monitor: [], admin: [] };

export function bearer(secret: string): string {
  return `Bearer ${secret}`;
}
