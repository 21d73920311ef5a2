/**
 * The shipped roles file: it parses, maps to the role JSON Weaviate 1.38 accepts (checked on the
 * real server in rbac.int.test.ts), and grants nothing outside the ESCO collections, their
 * generations and aliases, Metadata and the lease tickets.
 */
import http from 'node:http';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { INGESTED_COLLECTIONS } from '../../src/ingest/mapping.ts';
import { applyRoles, loadRoles, parseRoles, permissionKey, type WeaviatePermission } from '../../src/weaviate/roles.ts';
import { cli } from '../support/cli.ts';

const roles = loadRoles();
const role = (name: string) => {
  const found = roles.find((r) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return found;
};

/** How Weaviate matches a pattern: the whole name, `*` as any characters (casbin KeyMatch5). */
const matches = (pattern: string, name: string) => new RegExp(`^(${pattern.replaceAll('*', '.*')})$`).test(name);

const ESCO_PATTERN =
  'Skill(_g[0-9]+)?|Occupation(_g[0-9]+)?|ISCOGroup(_g[0-9]+)?|SkillGroup(_g[0-9]+)?|ConceptScheme(_g[0-9]+)?|ConceptCollection(_g[0-9]+)?';
const PUBLISHED = 'Skill|Occupation|ISCOGroup|SkillGroup|ConceptScheme|ConceptCollection';
const ESCO = INGESTED_COLLECTIONS.flatMap((n) => [n, `${n}_g1`, `${n}_g42`]);
const OUTSIDE = [
  'Other',
  'Skills',
  'SkillX',
  'XSkill',
  'Skill_g',
  'Skill_gx',
  'Skill_g1_g2',
  'Skill_g1x',
  'OccupationGroup',
  'Metadata_g1',
  'MetadataX',
  'EscoInitLease',
  'EscoInitLeaseX_1',
  'EscoInitLease_1x',
];

function targets(p: WeaviatePermission): { collection: string; alias?: string } {
  const t = p.collections ?? p.data ?? p.aliases;
  if (!t) throw new Error(`permission without a target: ${JSON.stringify(p)}`);
  return t;
}

const data = (collection: string) => ({ collection, tenant: '*', object: '*' });
const crud = (domain: string) => ['create', 'read', 'update', 'delete'].map((verb) => `${verb}_${domain}`);

describe('resources/weaviate-roles.yaml', () => {
  it("maps esco-init to Weaviate's role JSON: the ESCO collections, their data and aliases, Metadata and the lease tickets", () => {
    const permissions = role('esco-init').permissions;
    expect(permissions).toEqual([
      ...crud('collections').map((action) => ({ action, collections: { collection: ESCO_PATTERN } })),
      ...crud('data').map((action) => ({ action, data: data(ESCO_PATTERN) })),
      ...crud('aliases').map((action) => ({ action, aliases: { collection: ESCO_PATTERN, alias: PUBLISHED } })),
      ...crud('collections').map((action) => ({ action, collections: { collection: 'Metadata' } })),
      ...crud('data').map((action) => ({ action, data: data('Metadata') })),
      ...crud('aliases').map((action) => ({
        action,
        aliases: { collection: 'Metadata', alias: 'EscoInitLease_[0-9]+' },
      })),
    ]);
  });

  it('maps esco-search to reads only: the ESCO collections, their data and aliases, Metadata’s data and the lease tickets', () => {
    expect(role('esco-search').permissions).toEqual([
      { action: 'read_collections', collections: { collection: ESCO_PATTERN } },
      { action: 'read_data', data: data(ESCO_PATTERN) },
      { action: 'read_aliases', aliases: { collection: ESCO_PATTERN, alias: PUBLISHED } },
      { action: 'read_data', data: data('Metadata') },
      { action: 'read_aliases', aliases: { collection: 'Metadata', alias: 'EscoInitLease_[0-9]+' } },
    ]);
  });

  it('the ESCO pattern matches every ESCO collection and generation, and none of the names outside', () => {
    for (const name of ESCO) expect([name, matches(ESCO_PATTERN, name)]).toEqual([name, true]);
    for (const name of [...OUTSIDE, 'Metadata']) expect([name, matches(ESCO_PATTERN, name)]).toEqual([name, false]);
  });

  it('no role grants anything outside the ESCO names, Metadata and the lease tickets', () => {
    for (const r of roles) {
      for (const p of r.permissions) {
        const { collection, alias } = targets(p);
        for (const name of OUTSIDE) {
          expect([r.name, p.action, name, matches(collection, name)]).toEqual([r.name, p.action, name, false]);
          if (alias !== undefined)
            expect([r.name, p.action, name, matches(alias, name)]).toEqual([r.name, p.action, name, false]);
        }
        expect(p.action).toMatch(/^(create|read|update|delete)_(collections|data|aliases)$/);
      }
    }
    const lease = role('esco-init').permissions.find((p) => p.aliases?.collection === 'Metadata');
    expect(matches(lease?.aliases?.alias ?? '', 'EscoInitLease_17')).toBe(true);
  });

  it('esco-search creates, updates and deletes nothing', () => {
    expect(role('esco-search').permissions.filter((p) => !p.action.startsWith('read_'))).toEqual([]);
  });
});

describe('parseRoles', () => {
  const file = (permission: string) => `roles:\n  r:\n    permissions:\n      - ${permission}\n`;

  it('reads YAML anchors and gives one permission per action', () => {
    const text = `patterns:\n  x: &x "Skill"\nroles:\n  r:\n    permissions:\n      - { actions: [read_data, delete_data], collection: *x }\n`;
    expect(parseRoles(text, 't')).toEqual([
      {
        name: 'r',
        permissions: [
          { action: 'read_data', data: data('Skill') },
          { action: 'delete_data', data: data('Skill') },
        ],
      },
    ]);
  });

  it.each([
    ['an action outside collections, data and aliases', '{ actions: [manage_backups], collection: Skill }'],
    ['an alias action without alias', '{ actions: [read_aliases], collection: Skill }'],
    ['alias with other actions', '{ actions: [read_data, read_aliases], collection: Skill, alias: Skill }'],
    [
      'a pattern Weaviate refuses (not an upper-case letter first)',
      '{ actions: [read_data], collection: "(Skill|Occupation)" }',
    ],
    ['a pattern that does not compile', '{ actions: [read_data], collection: "Skill(" }'],
    ['an unknown field', '{ actions: [read_data], collection: Skill, tenant: a }'],
  ])('rejects %s with CONFIG_INVALID', (_what, permission) => {
    expect(() => parseRoles(file(permission), 'roles.yaml')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('roles.yaml') }),
    );
  });
});

describe('permissionKey', () => {
  it('equals for a permission as sent and as Weaviate reads it back (defaults filled, keys reordered)', () => {
    const sent: WeaviatePermission = { action: 'read_data', data: data('Skill') };
    const readBack = {
      data: { object: '*', tenant: '*', collection: 'Skill' },
      action: 'read_data',
    } as WeaviatePermission;
    expect(permissionKey(readBack)).toBe(permissionKey(sent));
    expect(permissionKey({ action: 'read_data', data: data('Metadata') })).not.toBe(permissionKey(sent));
    expect(permissionKey({ action: 'delete_data', data: data('Skill') })).not.toBe(permissionKey(sent));
  });
});

describe('esco-init roles', () => {
  it('print writes the role JSON, without a Weaviate', async () => {
    const { code, out } = await cli('roles', 'print');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(roles);
  });

  it('needs a subcommand: print or apply (exit 2)', async () => {
    expect((await cli('roles')).code).toBe(2);
    const unknown = await cli('roles', 'show');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('use print or apply');
  });

  it('print --file reports an invalid file (exit 2)', async () => {
    const { code, err } = await cli('roles', 'print', '--file', '/nonexistent/roles.yaml');
    expect(code).toBe(2);
    expect(err).toContain('cannot read the roles file /nonexistent/roles.yaml');
  });
});

/**
 * A Weaviate authz API that answers `answers[<METHOD> <path>]` (a status, and Weaviate's error body
 * when not 2xx); role r exists with one permission, user u has role r.
 */
async function withAuthz(answers: Record<string, number>, test: (url: string) => Promise<void>): Promise<void> {
  const bodies: Record<string, unknown> = {
    'GET /v1/authz/roles/r': { name: 'r', permissions: [{ action: 'read_data', data: data('Skill') }] },
    'GET /v1/authz/users/u/roles/db': [{ name: 'r' }],
  };
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const status = answers[key] ?? 200;
    const body = status < 300 ? (bodies[key] ?? {}) : { error: [{ message: `${key}: not found` }] };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('applyRoles refusals', () => {
  const held: WeaviatePermission[] = [{ action: 'read_data', data: data('Skill') }];
  const apply = (url: string, user: string, wanted = held) =>
    applyRoles({ url, headers: {} }, [{ name: 'r', permissions: wanted }], { r: user });

  it('a 404 to an assignment is a user Weaviate does not have (CONFIG_INVALID)', async () => {
    await withAuthz({ 'POST /v1/authz/users/ghost/assign': 404 }, async (url) => {
      await expect(apply(url, 'ghost')).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/^assigning role r to ghost: Weaviate has no such user: add it to/),
      });
    });
  });

  it("a 404 to any other request is no missing user: reading a user's roles, updating a role", async () => {
    await withAuthz({ 'GET /v1/authz/users/u/roles/db': 404 }, async (url) => {
      await expect(apply(url, 'u')).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/^reading the roles of u: GET authz\/users\/u\/roles\/db: HTTP 404/),
      });
    });
    const more: WeaviatePermission[] = [...held, { action: 'delete_data', data: data('Skill') }];
    await withAuthz({ 'POST /v1/authz/roles/r/add-permissions': 404 }, async (url) => {
      await expect(apply(url, 'u', more)).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/^updating role r: POST authz\/roles\/r\/add-permissions: HTTP 404/),
      });
    });
  });

  it('assigns when Weaviate accepts, naming the other roles the user has', async () => {
    await withAuthz({}, async (url) => {
      expect(await apply(url, 'u')).toEqual({
        roles: [{ role: 'r', change: 'unchanged', added: 0, removed: 0 }],
        assignments: [{ role: 'r', user: 'u', otherRoles: [] }],
      });
    });
  });
});
