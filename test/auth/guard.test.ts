import { afterAll, describe, expect, it } from 'vitest';
import type { ApiRole, Config } from '../../src/config/config.ts';
import { guardedApp } from './app.ts';
import { ALL_KEYS, bearer, NO_KEYS, SECRETS } from './fixtures.ts';

/** What each request presents: no header, a wrong key, a malformed header, or one role's key. */
const PRESENTED = {
  none: undefined,
  wrong: bearer('wrong-secret-0123456789abcdef'),
  malformed: `Basic ${SECRETS.admin}`,
  reader: bearer(SECRETS.reader),
  monitor: bearer(SECRETS.monitor),
  admin: bearer(SECRETS.admin),
} as const;
type Presented = keyof typeof PRESENTED;

const NAMES: Record<ApiRole, string> = { reader: 'search-app', monitor: 'prometheus', admin: 'ops' };

/** Expected status per route × presented key, with every role's keys configured. */
const CONFIGURED: Record<ApiRole, Record<Presented, number>> = {
  reader: { none: 401, wrong: 401, malformed: 401, reader: 200, monitor: 403, admin: 200 },
  monitor: { none: 401, wrong: 401, malformed: 401, reader: 403, monitor: 200, admin: 200 },
  admin: { none: 401, wrong: 401, malformed: 401, reader: 403, monitor: 403, admin: 200 },
};

/** Expected status with no key of the route's role configured (the other roles' keys are). */
const UNCONFIGURED: Record<ApiRole, Record<Presented, number>> = {
  reader: { none: 200, wrong: 200, malformed: 200, reader: 200, monitor: 200, admin: 200 },
  monitor: { none: 200, wrong: 200, malformed: 200, reader: 200, monitor: 200, admin: 200 },
  admin: { none: 403, wrong: 403, malformed: 403, reader: 403, monitor: 403, admin: 403 },
};

const apps: ReturnType<typeof guardedApp>[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

async function call(auth: Config['auth'], route: ApiRole | 'healthz', presented: Presented) {
  const app = guardedApp(auth);
  apps.push(app);
  const authorization = PRESENTED[presented];
  const response = await app.inject({ url: `/${route}`, headers: authorization ? { authorization } : {} });
  return { status: response.statusCode, headers: response.headers, body: response.json(), text: response.body };
}

function withoutRole(role: ApiRole): Config['auth'] {
  return { ...ALL_KEYS, [role]: [] };
}

describe('authorize: the auth matrix', () => {
  for (const route of ['reader', 'monitor', 'admin'] as const) {
    for (const presented of Object.keys(PRESENTED) as Presented[]) {
      const expected = CONFIGURED[route][presented];
      it(`${route} route, ${route} keys configured, ${presented} key → ${expected}`, async () => {
        const { status, headers, body, text } = await call(ALL_KEYS, route, presented);
        expect(status).toBe(expected);
        expectAnswer(expected, route, presented, { headers, body });
        expect(body.caller ?? null).toEqual(
          expected === 200 ? { name: NAMES[presented as ApiRole], role: presented } : null,
        );
        for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      });

      const open = UNCONFIGURED[route][presented];
      it(`${route} route, no ${route} key configured, ${presented} key → ${open}`, async () => {
        const { status, headers, body, text } = await call(withoutRole(route), route, presented);
        expect(status).toBe(open);
        if (open === 200) expect(body).toEqual({ caller: null });
        else expect(body.error).toBe('forbidden');
        expect(headers['www-authenticate']).toBeUndefined();
        for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      });
    }
  }
});

function expectAnswer(
  status: number,
  route: ApiRole,
  presented: Presented,
  { headers, body }: { headers: Record<string, unknown>; body: { error?: string; message?: string } },
): void {
  if (status === 401) {
    expect(body.error).toBe('unauthorized');
    expect(headers['www-authenticate']).toBe('Bearer realm="esco-init"');
    expect(body.message).toMatch(/API key|Authorization/);
  } else {
    expect(headers['www-authenticate']).toBeUndefined();
  }
  if (status === 403) {
    expect(body.error).toBe('forbidden');
    expect(body.message).toContain(`"${NAMES[presented as ApiRole]}" has role ${presented}`);
    expect(body.message).toContain(`needs role ${route}`);
  }
}

describe('authorize: the rule around the matrix', () => {
  it('leaves reader and monitor routes open and keeps admin closed when no key at all is configured', async () => {
    expect((await call(NO_KEYS, 'reader', 'none')).body).toEqual({ caller: null });
    expect((await call(NO_KEYS, 'monitor', 'admin')).body).toEqual({ caller: null });
    const admin = await call(NO_KEYS, 'admin', 'admin');
    expect(admin.status).toBe(403);
    expect(admin.body).toEqual({
      error: 'forbidden',
      message: 'admin routes are disabled: no admin key is configured (ESCO_ADMIN_KEYS)',
    });
  });

  it('guards a role by its own keys only: reader keys do not close monitor routes', async () => {
    const readerOnly = { ...NO_KEYS, reader: ALL_KEYS.reader };
    expect((await call(readerOnly, 'reader', 'none')).status).toBe(401);
    expect((await call(readerOnly, 'monitor', 'none')).body).toEqual({ caller: null });
  });

  it('says which of no key, a malformed header and an unknown key it got', async () => {
    const messages = await Promise.all(
      (['none', 'malformed', 'wrong'] as const).map(async (p) => (await call(ALL_KEYS, 'reader', p)).body.message),
    );
    expect(messages).toEqual([
      'this route needs an API key with role reader: send "Authorization: Bearer <key>"',
      'the Authorization header must be "Bearer <key>"',
      'unknown API key: check it, or ask the operator for a key with role reader',
    ]);
  });

  it('never guards a route it is not attached to (healthz)', async () => {
    expect(await call(ALL_KEYS, 'healthz', 'none')).toMatchObject({ status: 200, body: { caller: null } });
  });
});
