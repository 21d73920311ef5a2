/**
 * The operator API of `esco-init serve` as a real process against a real Weaviate with the
 * default vectorizer (text2vec-transformers and the project's inference service): runs started
 * over HTTP are the same `init` as the CLI's, under the same lease. Waits are for events (a log
 * line, a run record's state), never for time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, SAMPLE, startCli } from '../scripts/processes.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { startLocalWeaviate } from '../support/weaviate-server.ts';

const weaviate = useWeaviate();

const KEYS = {
  reader: 'search-app:reader-0123456789abcdef',
  monitor: 'prometheus:monitor-0123456789abcdef',
  admin: 'ops:admin-0123456789abcdef0123',
};
const SECRET = {
  none: undefined,
  wrong: 'wrong-0123456789abcdef',
  reader: 'reader-0123456789abcdef',
  monitor: 'monitor-0123456789abcdef',
  admin: 'admin-0123456789abcdef0123',
} as const;
type Who = keyof typeof SECRET;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** `esco-init serve` with keys for every role; the lease TTL it judges a silent holder by is short. */
function serveEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...weaviate().env,
    ESCO_DATA: SAMPLE,
    ESCO_READER_KEYS: KEYS.reader,
    ESCO_MONITOR_KEYS: KEYS.monitor,
    ESCO_ADMIN_KEYS: KEYS.admin,
    ESCO_LOCK_TTL: '10',
    ESCO_LOCK_HEARTBEAT: '1',
    ...extra,
  };
}

async function startServe(env: Record<string, string>): Promise<{ serve: CliProcess; base: string }> {
  const serve = startCli(['serve'], env);
  const line = await serve.waitForLog((l) => typeof l.url === 'string' && /listening/.test(l.msg), 120_000);
  return { serve, base: String(line.url) };
}

function client(base: string) {
  return async (
    method: string,
    path: string,
    who: Who = 'admin',
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const secret = SECRET[who];
    const headers: Record<string, string> = { ...init.headers };
    if (secret) headers.authorization = `Bearer ${secret}`;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: init.body });
    const text = await res.text();
    const body = res.headers.get('content-type')?.includes('json')
      ? (JSON.parse(text) as Record<string, unknown>)
      : { text };
    return { status: res.status, body, headers: res.headers };
  };
}

let serve: CliProcess;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  ({ serve, base: baseUrl } = await startServe(serveEnv()));
  call = client(baseUrl);
}, 300_000);
let baseUrl = '';

afterAll(async () => {
  serve?.kill('SIGTERM');
  await serve?.ended;
});

const ingest = (force: boolean, who: Who = 'admin', headers: Record<string, string> = {}) =>
  call('POST', '/admin/ingest', who, { body: JSON.stringify({ force }), headers });

/** Resolves once the service logged the end of this admin run. */
const ended = (runId: string) => serve.waitForLog((l) => l.msg === `admin run ${runId} ended: ${String(l.state)}`);

describe('esco-init serve: the operator API', { timeout: 300_000 }, () => {
  it('accepts one of two POST /admin/ingest at once (202 + Location, its record queued), answers the other 409 naming it, and runs init', async () => {
    const [a, b] = await Promise.all([ingest(false), ingest(false)]);
    const [accepted, refused] = a.status === 202 ? [a, b] : [b, a];
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(refused.status).toBe(409);
    const runId = String(accepted.body.runId);
    expect(accepted.headers.get('location')).toBe(`/admin/runs/${runId}`);
    expect(accepted.body).toMatchObject({ state: 'queued', force: false, location: `/admin/runs/${runId}` });
    expect(refused.body).toMatchObject({ error: 'run_active', activeRun: { runId, source: 'this service' } });
    // The record existed before the 202 was sent.
    const early = await call('GET', `/admin/runs/${runId}`);
    expect(early.status).toBe(200);
    expect(['queued', 'running', 'ingested']).toContain(early.body.state);
    expect(early.body.trigger).toEqual({ by: 'ops', idempotencyKey: null, at: expect.any(String) });

    const end = await ended(runId);
    expect(end.state).toBe('ingested');
    const run = await call('GET', `/admin/runs/${runId}`);
    expect(run.body).toMatchObject({ runId, state: 'ingested', error: null, live: null, trigger: { by: 'ops' } });
    const passes = run.body.passes as { name: string; status: string; ms: number }[];
    expect(passes.map((p) => p.name)).toEqual(expect.arrayContaining(['objects', 'references', 'verify']));
    expect(passes.every((p) => p.status === 'done' && p.ms >= 0)).toBe(true);
    expect((run.body.counts as Record<string, number>).Skill).toBeGreaterThan(0);

    const list = await call('GET', '/admin/runs?limit=5');
    expect(list.status).toBe(200);
    expect((list.body.runs as { runId: string }[])[0]?.runId).toBe(runId);
    // One audit line per admin request: who, what, which run.
    const audit = serve.logs.filter((l) => (l.audit as { runId?: string } | undefined)?.runId === runId);
    expect(audit.map((l) => l.audit)).toEqual(
      expect.arrayContaining([
        { who: 'ops', what: 'POST /admin/ingest', runId, status: 202 },
        { who: 'ops', what: 'POST /admin/ingest', runId, status: 409 },
        { who: 'ops', what: 'GET /admin/runs/:id', runId, status: 200 },
      ]),
    );
  });

  it('answers the same run for a repeated Idempotency-Key, and 422 for the key with another body', async () => {
    const first = await ingest(false, 'admin', { 'idempotency-key': 'deploy-2026-12-03' });
    expect(first.status).toBe(202);
    const again = await ingest(false, 'admin', { 'idempotency-key': 'deploy-2026-12-03' });
    expect(again.status).toBe(202);
    expect(again.body.runId).toBe(first.body.runId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await ingest(true, 'admin', { 'idempotency-key': 'deploy-2026-12-03' });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ error: 'idempotency_key_reused', runId: first.body.runId });
    // The data is complete: the run skips.
    expect((await ended(String(first.body.runId))).state).toBe('skipped');
  });

  it('enforces the roles on every route (no key / wrong key / reader / monitor / admin)', async () => {
    const runs = await call('GET', '/admin/runs?limit=1');
    const runId = String((runs.body.runs as { runId: string }[])[0]?.runId);
    const routes: [string, string, string | undefined][] = [
      ['GET', '/healthz', undefined],
      ['GET', '/search?q=database&mode=bm25', undefined],
      ['GET', '/skills/does-not-exist', undefined],
      ['GET', '/metrics', undefined],
      ['GET', '/admin/runs', undefined],
      ['GET', `/admin/runs/${runId}`, undefined],
      ['POST', '/admin/ingest', '{"force":false}'],
    ];
    // Expected status by route and caller; the POST by admin is made last, below.
    const expected: Record<string, Record<Exclude<Who, 'admin'>, number>> = {
      '/healthz': { none: 200, wrong: 200, reader: 200, monitor: 200 },
      '/search?q=database&mode=bm25': { none: 401, wrong: 401, reader: 200, monitor: 403 },
      '/skills/does-not-exist': { none: 401, wrong: 401, reader: 404, monitor: 403 },
      '/metrics': { none: 401, wrong: 401, reader: 403, monitor: 200 },
      '/admin/runs': { none: 401, wrong: 401, reader: 403, monitor: 403 },
      [`/admin/runs/${runId}`]: { none: 401, wrong: 401, reader: 403, monitor: 403 },
      '/admin/ingest': { none: 401, wrong: 401, reader: 403, monitor: 403 },
    };
    const seen: string[] = [];
    for (const [method, path, body] of routes) {
      for (const who of ['none', 'wrong', 'reader', 'monitor'] as const) {
        const reply = await call(method, path, who, { body });
        seen.push(`${method} ${path} ${who} ${reply.status}`);
        if (reply.status === 401) {
          expect(reply.body.error).toBe('unauthorized');
          expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="esco-init"');
        }
        if (reply.status === 403) expect(reply.body.error).toBe('forbidden');
      }
    }
    const want = routes.flatMap(([method, path]) =>
      (['none', 'wrong', 'reader', 'monitor'] as const).map(
        (who) => `${method} ${path} ${who} ${expected[path]?.[who]}`,
      ),
    );
    expect(seen).toEqual(want);
    // admin passes everywhere
    for (const [method, path] of routes.filter(([m]) => m === 'GET')) {
      const reply = await call(method, path, 'admin');
      expect([200, 404], `${method} ${path}`).toContain(reply.status);
      if (path.startsWith('/skills/')) expect(reply.body.error).toBe('not_found');
    }
    const post = await ingest(false, 'admin');
    expect(post.status).toBe(202);
    expect((await ended(String(post.body.runId))).state).toBe('skipped');
    // Denied admin requests are audited too, as unauthenticated or by the key's name.
    expect(serve.logs.map((l) => l.audit).filter(Boolean)).toEqual(
      expect.arrayContaining([
        { who: 'unauthenticated', what: 'POST /admin/ingest', runId: null, status: 401 },
        { who: 'unauthenticated', what: 'GET /admin/runs', runId: null, status: 401 },
      ]),
    );
    const denied = serve.logs.filter((l) => (l.audit as { status?: number } | undefined)?.status === 403);
    expect(denied.length).toBeGreaterThanOrEqual(6);
    // Secrets are never logged.
    const logText = JSON.stringify(serve.logs);
    for (const secret of Object.values(SECRET)) if (secret) expect(logText).not.toContain(secret);
  });

  it('refuses bad requests with 400 / 413 / 415, naming what is wrong', async () => {
    const unknown = await call('POST', '/admin/ingest', 'admin', { body: '{"force":true,"now":1}' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('bad_request');
    const badType = await call('POST', '/admin/ingest', 'admin', { body: '{"force":"yes"}' });
    expect(badType.status).toBe(400);
    expect(JSON.stringify(badType.body.issues)).toContain('force');
    const large = await call('POST', '/admin/ingest', 'admin', {
      body: JSON.stringify({ force: false, pad: 'x'.repeat(4096) }),
    });
    expect(large.status).toBe(413);
    expect(large.body.error).toBe('payload_too_large');
    const xml = await call('POST', '/admin/ingest', 'admin', {
      body: '<force/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error).toBe('unsupported_media_type');
    const text = await call('POST', '/admin/ingest', 'admin', {
      body: '{"force":true}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error).toBe('unsupported_media_type');
    const limit = await call('GET', '/admin/runs?limit=1000', 'admin');
    expect(limit.status).toBe(400);
  });

  it('answers 409 naming the run of an init process that holds the lease', async () => {
    const init = startCli(['init', '--force-reingest'], { ...weaviate().env, ESCO_DATA: SAMPLE });
    await init.waitForLog((l) => l.msg === 'acquired the ingestion lease');
    const reply = await ingest(true);
    expect(reply.status).toBe(409);
    const active = reply.body.activeRun as Record<string, unknown>;
    expect(active).toMatchObject({ source: 'lease holder', pid: init.pid });
    const listed = await call('GET', '/admin/runs?limit=10');
    const record = (listed.body.runs as { runId: string; pid: number; state: string }[]).find(
      (r) => r.pid === init.pid,
    );
    expect(record?.runId).toBe(active.runId);
    expect(reply.body.message).toContain(String(active.runId));
    const done = await init.ended;
    expect(done.exitCode, done.stderr.slice(-2000)).toBe(0);
  });

  it('shows a SIGKILLed run as interrupted (taken over) once the next run takes the lease, and that run completes', async () => {
    const victim = startCli(['init', '--force-reingest'], { ...weaviate().env, ESCO_DATA: SAMPLE });
    await victim.waitForLog((l) => l.msg === 'references pass');
    victim.kill('SIGKILL');
    await victim.ended;
    const listed = await call('GET', '/admin/runs?limit=10');
    const killed = (listed.body.runs as { runId: string; pid: number; state: string }[]).find(
      (r) => r.pid === victim.pid,
    );
    expect(killed?.state).toBe('running');
    // Until the service has watched the silent heartbeat for the TTL, the dead holder is still the holder.
    const first = await ingest(true);
    expect(first.status).toBe(409);
    expect(first.body.activeRun).toMatchObject({ runId: killed?.runId, source: 'lease holder' });
    // The service calls the holder stale once it has watched its heartbeat stand still for the TTL.
    let accepted: Reply = first;
    while (accepted.status === 409) {
      expect(accepted.body.activeRun).toMatchObject({ runId: killed?.runId });
      await sleep(500);
      accepted = await ingest(true);
    }
    expect(accepted.status).toBe(202);
    const runId = String(accepted.body.runId);
    expect((await ended(runId)).state).toBe('ingested');
    const dead = await call('GET', `/admin/runs/${killed?.runId}`);
    expect(dead.body).toMatchObject({ state: 'interrupted', error: { code: 'TAKEN_OVER' }, live: null });
    expect(String((dead.body.error as { message: string }).message)).toContain(`taken over by run ${runId}`);
    const next = await call('GET', `/admin/runs/${runId}`);
    expect(next.body.state).toBe('ingested');
    expect(String((next.body.events as { event: string }[])[0]?.event)).toContain(
      'accepted over the operator API from ops',
    );

    const metrics = await call('GET', '/metrics', 'monitor');
    expect(metrics.body.text).toMatch(/^esco_runs_total\{outcome="ingested"\} 2$/m);
    expect(metrics.body.text).toMatch(/^esco_runs_total\{outcome="skipped"\} 2$/m);
    expect(metrics.body.text).toMatch(/^esco_lease_held 0$/m);
    expect(metrics.body.text).toMatch(/^esco_dataset_completed 1$/m);
    expect(metrics.body.text).toMatch(
      /^esco_http_request_duration_seconds_count\{route="\/search",status="200"\} [1-9]/m,
    );
  });
});

describe('esco-init serve: the operator API without its upstreams', { timeout: 300_000 }, () => {
  it('answers 503 with Retry-After while the inference service is unreachable', async () => {
    const reply = await withStoppedInference(() => ingest(false));
    expect(reply.status, JSON.stringify(reply.body)).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('10');
    expect(reply.body).toMatchObject({ error: 'unavailable', retryAfterSeconds: 10 });
    expect(String(reply.body.message)).toMatch(/text2vec-transformers module cannot reach its inference service/);
  });

  it('answers 503 with Retry-After while Weaviate is down', async () => {
    const lonely = await startLocalWeaviate();
    const env = serveEnv({
      WEAVIATE_URL: lonely.url,
      WEAVIATE_GRPC_PORT: String(lonely.grpcPort),
      ESCO_VECTORIZER: 'none',
    });
    const { serve: other, base } = await startServe(env);
    const post = client(base);
    try {
      await lonely.stop();
      const down = await post('POST', '/admin/ingest', 'admin', { body: '{}' });
      expect(down.status, JSON.stringify(down.body)).toBe(503);
      expect(down.headers.get('retry-after')).toBe('10');
      expect(String(down.body.message)).toMatch(/Weaviate is not reachable/);
      const runs = await post('GET', '/admin/runs', 'admin');
      expect(runs.status, JSON.stringify(runs.body)).toBe(503);
      expect(runs.headers.get('retry-after')).toBe('10');
      // The search routes and the health check say so too (at once: the gate, not gRPC retries),
      // after the auth guard; /metrics still answers, counting the failed reads.
      const search = await post('GET', '/search?q=x&mode=bm25', 'reader');
      expect(search.status, JSON.stringify(search.body)).toBe(503);
      expect(search.body.error).toBe('upstream_unavailable');
      expect((await post('GET', '/search?q=x&mode=bm25', 'none')).status).toBe(401);
      const health = await post('GET', '/healthz', 'none');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ready: false, state: 'unknown' });
      const metrics = await post('GET', '/metrics', 'monitor');
      expect(metrics.status).toBe(200);
      expect(metrics.body.text).toMatch(/^esco_metadata_read_errors_total\{reader="status"\} [1-9]/m);
    } finally {
      other.kill('SIGTERM');
      await other.ended;
      await lonely.stop();
    }
  });
});

/** Runs `work` while the file's inference service is stopped (the last test of the file: it stays stopped). */
async function withStoppedInference<T>(work: () => Promise<T>): Promise<T> {
  const inference = weaviate().inference;
  if (!inference) throw new Error('the harness started no inference service');
  await inference.stop();
  return work();
}
