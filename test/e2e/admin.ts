/**
 * The operator API through docker-compose.admin.yml: esco-search starts a forced `init` run with
 * the esco-init key it got from the override, the run builds and publishes a new generation from
 * the data the override mounts, and every admin request leaves an audit line.
 */
import assert from 'node:assert/strict';
import type { RunRecord } from '../../src/status/status-store.ts';
import { DEFAULT_DATASET_KEY } from '../../src/status/status-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import type { Stack } from './stack.ts';

/** States a run does not leave by itself. */
const ENDED = new Set(['ingested', 'skipped', 'waited', 'failed', 'interrupted', 'gave_up', 'rolled_back']);

/** POST /admin/ingest {"force": true} as the admin; returns the run once it ended. */
export async function forcedAdminRun(stack: Stack): Promise<RunRecord> {
  const post = (key?: string) =>
    stack.search('/admin/ingest', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ force: true }),
    });
  const anonymous = await post();
  assert.equal(
    anonymous.status,
    401,
    `POST /admin/ingest without a key: ${anonymous.status} ${await anonymous.text()}`,
  );
  const monitor = await post(stack.keys.monitor);
  assert.equal(
    monitor.status,
    403,
    `POST /admin/ingest with the monitor key: ${monitor.status} ${await monitor.text()}`,
  );
  const accepted = await post(stack.keys.admin);
  const body = await accepted.text();
  assert.equal(accepted.status, 202, `POST /admin/ingest with the admin key: ${accepted.status} ${body}`);
  const location = accepted.headers.get('location');
  assert.match(location ?? '', /^\/admin\/runs\/[A-Za-z0-9._-]+$/, `Location: ${location}`);
  return untilEnded(stack, location ?? '');
}

/** Polls the run (the event waited for is its end; the deadline is a safety net). */
async function untilEnded(stack: Stack, location: string): Promise<RunRecord> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const res = await stack.search(location, { key: stack.keys.admin });
    const text = await res.text();
    assert.equal(res.status, 200, `GET ${location}: ${res.status} ${text.slice(0, 300)}`);
    const run = JSON.parse(text) as RunRecord;
    if (ENDED.has(run.state)) return run;
    if (Date.now() > deadline) assert.fail(`${location} is still ${run.state} after 10 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The published generation, as the search service reads it. */
export async function publishedGeneration(stack: Stack): Promise<number | null> {
  const status = await new WeaviateStatusStore(await stack.weaviate()).readStatus(DEFAULT_DATASET_KEY);
  assert.equal(status?.state, 'completed', `status record: ${JSON.stringify(status)}`);
  return status?.generation ?? null;
}

/** esco-search logged an audit line for each admin request: who, what, the answer. */
export async function auditedInSearchLogs(stack: Stack, runId: string): Promise<void> {
  const logs = await stack.logs('esco-search');
  const audits = logs
    .split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.startsWith('{') && line.includes('"audit"'))
    .map(
      (line) =>
        (JSON.parse(line) as { audit: { who: string; what: string; runId: string | null; status: number } }).audit,
    );
  const accepted = audits.find((a) => a.status === 202);
  assert.deepEqual(
    accepted,
    { who: 'ops', what: 'POST /admin/ingest', runId, status: 202 },
    `audit lines: ${JSON.stringify(audits)}`,
  );
  const refused = audits.filter((a) => a.what === 'POST /admin/ingest' && a.status !== 202).map((a) => a.status);
  assert.deepEqual(refused.sort(), [401, 403], `audit lines of the refused requests: ${JSON.stringify(audits)}`);
}
