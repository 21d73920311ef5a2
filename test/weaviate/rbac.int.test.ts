/**
 * Least privilege, proved on a real Weaviate with API-key authentication and RBAC (anonymous
 * access off): `esco-init roles apply` as root, then the search service's key cannot create,
 * update or delete anything (Weaviate answers 403) but reads the data and the status record, and
 * esco-init runs its whole life cycle with exactly the documented role and nothing more. One
 * server (with the default vectorizer) for the file; the tests run in order.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { connect, type WeaviateClient } from '../../src/weaviate/client.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { loadRoles, permissionKey, type WeaviatePermission } from '../../src/weaviate/roles.ts';
import { runCli, SAMPLE, startCli } from '../scripts/processes.ts';
import { cliWith } from '../support/cli.ts';
import { type LocalInference, startInference } from '../support/inference.ts';
import { CHILD_LEASE_ENV } from '../support/weaviate.ts';
import { type LocalWeaviate, startLocalWeaviate } from '../support/weaviate-server.ts';

const key = () => randomBytes(18).toString('hex');
const keys = { root: key(), 'esco-init': key(), 'esco-search': key() };
let inference: LocalInference;
let weaviate: LocalWeaviate;
const clients: WeaviateClient[] = [];

beforeAll(async () => {
  inference = await startInference();
  weaviate = await startLocalWeaviate({
    inferenceUrl: inference.url,
    auth: { keys },
    env: { MODULES_CLIENT_TIMEOUT: '300s' },
  }).catch(async (error) => {
    await inference.stop();
    throw error;
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await weaviate?.stop();
  await inference?.stop();
});

/** Environment of an `esco-init` child process running as `user`. */
function env(user: keyof typeof keys): Record<string, string> {
  return {
    WEAVIATE_URL: weaviate.url,
    WEAVIATE_GRPC_PORT: String(weaviate.grpcPort),
    WEAVIATE_API_KEY: keys[user],
    ESCO_VECTORIZER: 'text2vec-transformers',
    ESCO_DATA: SAMPLE,
    ...CHILD_LEASE_ENV,
  };
}

/** A REST request to Weaviate as `user`: the status and the parsed body. */
async function call(user: keyof typeof keys, method: string, path: string, body?: unknown) {
  const res = await fetch(`${weaviate.url}/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${keys[user]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function clientAs(user: keyof typeof keys): Promise<WeaviateClient> {
  const settings = { url: weaviate.url, grpcPort: weaviate.grpcPort, apiKey: keys[user], startupTimeoutSeconds: 30 };
  const client = await connect(settings, silentLogger());
  clients.push(client);
  return client;
}

const rolesOf = async (user: string) =>
  ((await call('root', 'GET', `authz/users/${user}/roles/db`)).body as unknown as { name: string }[]).map(
    (r) => r.name,
  );

describe('Weaviate with API keys and RBAC', () => {
  it('is closed to anonymous callers except readiness', async () => {
    expect((await fetch(`${weaviate.url}/v1/.well-known/ready`)).status).toBe(200);
    expect((await fetch(`${weaviate.url}/v1/schema`)).status).toBe(401);
  });

  it('roles apply: refused with a key that cannot manage roles, then applied as root, idempotently', async () => {
    const refused = await cliWith(env('esco-search'), 'roles', 'apply');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('WEAVIATE_API_KEY must be the key of a root user');
    expect(refused.err).toContain('HTTP 403');

    const first = await cliWith(env('root'), 'roles', 'apply');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('role esco-init: created');
    expect(first.out).toContain('role esco-search: created');
    expect(first.err).toBe('');
    const again = await cliWith(env('root'), 'roles', 'apply');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('role esco-init: unchanged');
    expect(again.out).toContain('role esco-search: unchanged');

    for (const role of loadRoles()) {
      const stored = (await call('root', 'GET', `authz/roles/${role.name}`)).body.permissions as WeaviatePermission[];
      expect(new Set(stored.map(permissionKey))).toEqual(new Set(role.permissions.map(permissionKey)));
      expect(await rolesOf(role.name)).toEqual([role.name]);
    }
  });

  it('roles apply brings a changed role back to the file, keeping its assignment', async () => {
    const extra = { action: 'read_data', data: { collection: 'Other', tenant: '*', object: '*' } };
    expect(
      (await call('root', 'POST', 'authz/roles/esco-search/add-permissions', { permissions: [extra] })).status,
    ).toBe(200);
    const applied = await cliWith(env('root'), 'roles', 'apply');
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain('role esco-search: updated (0 permissions added, 1 removed)');
    const stored = (await call('root', 'GET', 'authz/roles/esco-search')).body.permissions as WeaviatePermission[];
    expect(stored.map(permissionKey)).not.toContain(permissionKey(extra as WeaviatePermission));
    expect(await rolesOf('esco-search')).toEqual(['esco-search']);
  });

  it('esco-init runs init, a forced re-ingest, rollback, status and unlock with exactly its role', async () => {
    const init = await runCli(['init'], env('esco-init'));
    expect(init.exitCode, init.stderr).toBe(0);
    for (let i = 0; i < 2; i++) {
      const forced = await runCli(['init', '--force-reingest'], env('esco-init'));
      expect(forced.exitCode, forced.stderr).toBe(0);
    }
    // Generation 1 was dropped by retention (keep 1: the published 3 and the previous 2).
    const schema = (await call('root', 'GET', 'schema')).body.classes as { class: string }[];
    const skills = schema.map((c) => c.class).filter((name) => name.startsWith('Skill_'));
    expect(skills.sort()).toEqual(['Skill_g2', 'Skill_g3']);

    const rollback = await runCli(['rollback'], env('esco-init'));
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('rolled back to generation 2');
    const status = await runCli(['status', '--json'], env('esco-init'));
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: 'completed',
      status: { generation: 2 },
      aliases: { state: 'generation', generation: 2 },
    });
    const unlock = await runCli(['unlock'], env('esco-init'));
    expect(unlock.exitCode, unlock.stderr).toBe(0);
    expect((await call('esco-init', 'GET', 'aliases/Skill')).body).toMatchObject({ class: 'Skill_g2' });
  });

  it('the esco-init key cannot touch another collection, nor users and roles', async () => {
    expect((await call('root', 'POST', 'schema', { class: 'Other' })).status).toBe(200);
    const other = await call('root', 'POST', 'objects', { class: 'Other', properties: {} });
    expect(other.status).toBe(200);
    const id = String(other.body.id);
    const refused: [string, string, unknown?][] = [
      ['POST', 'schema', { class: 'Another' }],
      ['DELETE', 'schema/Other'],
      ['PUT', 'schema/Other', { class: 'Other', description: 'changed' }],
      ['GET', `objects/Other/${id}`],
      ['POST', 'objects', { class: 'Other', properties: {} }],
      ['PATCH', `objects/Other/${id}`, { class: 'Other', properties: {} }],
      ['DELETE', `objects/Other/${id}`],
      ['POST', 'aliases', { alias: 'Elsewhere', class: 'Skill_g2' }],
      ['POST', 'aliases', { alias: 'Skill2', class: 'Other' }],
      ['PUT', 'aliases/Skill', { class: 'Other' }],
      ['POST', 'authz/roles', { name: 'mine', permissions: [{ action: 'read_data', data: { collection: '*' } }] }],
      ['POST', 'authz/users/esco-init/assign', { roles: ['esco-search'], userType: 'db' }],
      ['DELETE', 'authz/roles/esco-search'],
      ['GET', 'authz/roles/esco-search'],
      ['GET', 'users/db/esco-search'],
      ['POST', 'users/db/someone', {}],
      ['GET', 'nodes'],
      ['GET', 'cluster/statistics'],
    ];
    for (const [method, path, body] of refused) {
      expect([method, path, (await call('esco-init', method, path, body)).status]).toEqual([method, path, 403]);
    }
  });

  it('the esco-search key cannot create, update or delete anything, and reads the data and the status', async () => {
    const skill = await call('esco-search', 'GET', 'objects?class=Skill&limit=1');
    expect(skill.status).toBe(200);
    const skillId = String((skill.body.objects as { id: string }[])[0]?.id);
    const meta = await call('esco-search', 'GET', 'objects?class=Metadata&limit=1');
    expect(meta.status).toBe(200);
    const metaId = String((meta.body.objects as { id: string }[])[0]?.id);
    const refused: [string, string, unknown?][] = [
      ['POST', 'schema', { class: 'Skill_g99' }],
      ['POST', 'schema', { class: 'Other2' }],
      ['PUT', 'schema/Skill_g2', { class: 'Skill_g2', description: 'changed' }],
      ['POST', 'schema/Skill_g2/properties', { name: 'extra', dataType: ['text'] }],
      ['DELETE', 'schema/Skill_g3'],
      ['DELETE', 'schema/Metadata'],
      ...(['Skill', 'Skill_g2', 'Metadata'] as const).flatMap((c): [string, string, unknown?][] => {
        const id = c === 'Metadata' ? metaId : skillId;
        return [
          ['POST', 'objects', { class: c, properties: {} }],
          ['PATCH', `objects/${c}/${id}`, { class: c, properties: {} }],
          ['PUT', `objects/${c}/${id}`, { class: c, id, properties: {} }],
          ['DELETE', `objects/${c}/${id}`],
          ['POST', 'batch/objects', { objects: [{ class: c, properties: {} }] }],
        ];
      }),
      [
        'DELETE',
        'batch/objects',
        { match: { class: 'Skill_g2', where: { path: ['id'], operator: 'Like', valueText: '*' } } },
      ],
      [
        'POST',
        `objects/Skill_g2/${skillId}/references/broaderSkills`,
        { beacon: `weaviate://localhost/Skill_g2/${skillId}` },
      ],
      ['POST', 'aliases', { alias: 'Skill2', class: 'Skill_g2' }],
      ['POST', 'aliases', { alias: 'EscoInitLease_999', class: 'Metadata' }],
      ['PUT', 'aliases/Skill', { class: 'Skill_g3' }],
      ['DELETE', 'aliases/Skill'],
      ['POST', 'authz/roles', { name: 'mine', permissions: [{ action: 'read_data', data: { collection: '*' } }] }],
    ];
    for (const [method, path, body] of refused) {
      expect([method, path, (await call('esco-search', method, path, body)).status]).toEqual([method, path, 403]);
    }
    // Nothing changed: the published generation is whole and still published.
    expect((await call('root', 'GET', 'aliases/Skill')).body).toMatchObject({ class: 'Skill_g2' });
    const status = await new WeaviateStatusStore(await clientAs('esco-search')).readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', generation: 2 });
    const count = await (await clientAs('esco-search')).collections.use('Skill').aggregate.overAll();
    expect(count.totalCount).toBe(status?.counts?.Skill);
  });

  it('esco-init serve reads with the esco-search key (search, metrics) and its operator API writes with the esco-init key', async () => {
    const admin = 'ops:admin-key-0123456789abcdef';
    const serve = startCli(['serve'], {
      ...env('esco-search'),
      ESCO_ADMIN_KEYS: admin,
      ESCO_ADMIN_WEAVIATE_API_KEY: keys['esco-init'],
    });
    try {
      const line = await serve.waitForLog((l) => l.msg.startsWith('search service listening'));
      const base = String(line.url);
      const res = await fetch(`${base}/search?q=cider&limit=3`);
      const body = (await res.json()) as { count: number; results: { label: string }[] };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.count).toBeGreaterThan(0);
      expect(body.results[0]?.label).toMatch(/cider/);
      // The lease tickets are readable with the search key: the lease gauges are true.
      const tickets = ((await call('root', 'GET', 'aliases')).body.aliases as { alias: string }[])
        .map((a) => /^EscoInitLease_(\d+)$/.exec(a.alias)?.[1])
        .filter((e) => e !== undefined)
        .map(Number);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^esco_lease_epoch ${Math.max(...tickets)}$`, 'm'));
      expect(metrics).toMatch(/^esco_dataset_completed 1$/m);

      const post = await fetch(`${base}/admin/ingest`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-key-0123456789abcdef', 'content-type': 'application/json' },
        body: '{"force":true}',
      });
      const accepted = (await post.json()) as { runId: string };
      expect(post.status, JSON.stringify(accepted)).toBe(202);
      const ended = await serve.waitForLog((l) => l.msg.startsWith(`admin run ${accepted.runId} ended`));
      expect(ended.state, JSON.stringify(ended.error)).toBe('ingested');
    } finally {
      serve.kill('SIGTERM');
      await serve.ended;
    }
  });
});
