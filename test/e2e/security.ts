/**
 * What the compose file's least privilege promises, checked against the running stack: Weaviate
 * refuses anonymous requests, the search service's key cannot write, the roles were applied by
 * the one-shot weaviate-roles, and esco-search's /metrics answers only the monitor key.
 */
import assert from 'node:assert/strict';
import { generationName } from '../../src/generations/names.ts';
import { DEFAULT_DATASET_KEY } from '../../src/status/status-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import type { Stack, StackKeys } from './stack.ts';

export async function checkLeastPrivilege(stack: Stack): Promise<void> {
  await rolesApplied(stack);
  const anonymous = await stack.weaviateRest('/v1/schema', null);
  assert.equal(anonymous.status, 401, `anonymous GET /v1/schema: ${anonymous.status} ${await anonymous.text()}`);
  await searchKeyCannotWrite(stack);
  await metricsNeedTheMonitorKey(stack);
}

/** weaviate-roles ran once, exited 0, and gave each user its role. */
async function rolesApplied(stack: Stack): Promise<void> {
  const roles = await stack.containers('weaviate-roles');
  assert.equal(roles.length, 1, `${roles.length} weaviate-roles containers`);
  assert.equal(roles[0]?.status, 'exited', `weaviate-roles is ${roles[0]?.status}`);
  assert.equal(roles[0]?.exitCode, 0, `weaviate-roles exited ${roles[0]?.exitCode}`);
  const logs = await stack.logs('weaviate-roles');
  assert.match(logs, /user esco-init: has role esco-init/, `weaviate-roles said: ${logs}`);
  assert.match(logs, /user esco-search: has role esco-search/, `weaviate-roles said: ${logs}`);
}

/** The search key creates no collection and deletes no object (403), and the object stays. */
async function searchKeyCannotWrite(stack: Stack): Promise<void> {
  const create = await stack.weaviateRest('/v1/schema', 'esco-search', {
    method: 'POST',
    body: JSON.stringify({ class: 'EscoE2eIntruder', properties: [{ name: 'x', dataType: ['text'] }] }),
  });
  assert.equal(create.status, 403, `the search key's POST /v1/schema: ${create.status} ${await create.text()}`);
  // The published generation's own collection: the one a delete would really hit.
  const status = await new WeaviateStatusStore(await stack.weaviate()).readStatus(DEFAULT_DATASET_KEY);
  assert.ok(status?.generation, `no published generation: ${JSON.stringify(status)}`);
  const skill = generationName('Skill', status.generation);
  const listed = await stack.weaviateRest(`/v1/objects?class=${skill}&limit=1`, 'esco-search');
  const text = await listed.text();
  assert.equal(listed.status, 200, `the search key's GET /v1/objects?class=${skill}: ${listed.status} ${text}`);
  const id = (JSON.parse(text) as { objects?: { id: string }[] }).objects?.[0]?.id;
  assert.ok(id, `the search key read no ${skill} object`);
  const remove = await stack.weaviateRest(`/v1/objects/${skill}/${id}`, 'esco-search', { method: 'DELETE' });
  assert.equal(
    remove.status,
    403,
    `the search key's DELETE of ${skill} ${id}: ${remove.status} ${await remove.text()}`,
  );
  const still = await stack.weaviateRest(`/v1/objects/${skill}/${id}`, 'root');
  assert.equal(still.status, 200, `${skill} ${id} after the refused delete: ${still.status}`);
  const schema = (await (await stack.weaviateRest('/v1/schema', 'root')).json()) as { classes?: { class: string }[] };
  const names = (schema.classes ?? []).map((c) => c.class);
  assert.ok(!names.includes('EscoE2eIntruder'), `the refused collection exists: ${names.join(', ')}`);
}

/** /metrics: 401 without a key, 200 with the monitor key, and it says the dataset is complete. */
async function metricsNeedTheMonitorKey(stack: Stack): Promise<void> {
  const anonymous = await stack.search('/metrics');
  assert.equal(anonymous.status, 401, `GET /metrics without a key: ${anonymous.status} ${await anonymous.text()}`);
  const monitored = await stack.search('/metrics', { key: stack.keys.monitor });
  const text = await monitored.text();
  assert.equal(monitored.status, 200, `GET /metrics with the monitor key: ${monitored.status} ${text.slice(0, 300)}`);
  assert.match(text, /^esco_dataset_completed 1$/m, 'esco_dataset_completed is not 1');
  // The search key reads the lease tickets (role esco-search): the init container's epoch shows.
  assert.match(text, /^esco_lease_epoch [1-9]\d*$/m, 'esco_lease_epoch does not show the lease esco-init took');
}

/**
 * After `compose-secrets.sh --force` and `up -d --force-recreate` (docs/compose.md#security): the
 * old keys are refused, the new ones work, in Weaviate and in esco-search.
 */
export async function checkRotated(stack: Stack, old: StackKeys): Promise<void> {
  for (const user of ['root', 'esco-init', 'esco-search'] as const) {
    assert.notEqual(stack.keys.weaviate[user], old.weaviate[user], `${user}'s key did not change`);
    const before = await fetchAs(stack, old.weaviate[user]);
    assert.equal(before.status, 401, `${user}'s old key, GET /v1/meta: ${before.status}`);
    const now = await stack.weaviateRest('/v1/meta', user);
    assert.equal(now.status, 200, `${user}'s new key, GET /v1/meta: ${now.status} ${await now.text()}`);
  }
  const oldMonitor = await stack.search('/metrics', { key: old.monitor });
  assert.equal(oldMonitor.status, 401, `GET /metrics with the old monitor key: ${oldMonitor.status}`);
  const monitor = await stack.search('/metrics', { key: stack.keys.monitor });
  assert.equal(monitor.status, 200, `GET /metrics with the new monitor key: ${monitor.status}`);
}

function fetchAs(stack: Stack, key: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${stack.ports.weaviate}/v1/meta`, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(30_000),
  });
}
