/**
 * The heavy scenarios on the full official ESCO v1.1.1 dataset, real processes, one server:
 * four simultaneous starts, kill -9 of the holder, a holder paused (SIGSTOP) past its lease, and
 * unlock against a live and a stuck holder (a full ingest keeps a holder busy for longer than
 * unlock watches it; the sample is done before that).
 * Needs ../shared/esco/v1.1.1 next to the project (see /work/shared/esco/README.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/clock.ts';
import { openDataset } from '../../src/esco/open.ts';
import { buildPlan } from '../../src/ingest/plan.ts';
import { WeaviateLeaseStore } from '../../src/weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { type LogLine, ROOT, resetWeaviate, runCli, startCli } from './processes.ts';

const V111 = path.resolve(ROOT, '../shared/esco/v1.1.1');
const present = existsSync(V111);
if (!present) {
  console.warn(`\n!!!!! ${V111} is missing: the ESCO v1.1.1 scenarios are SKIPPED, nothing was proven !!!!!\n`);
}

// The TTL of the processes whose expiry a test is about: a taker watching a killed or paused
// holder, a holder paused past its lease, unlock --if-stale watching a stopped holder. Each is
// driven by SIGKILL / SIGSTOP, not by a stall. Every other process keeps the harness's long TTL
// (CHILD_LEASE_ENV): its expiry is not under test, and a busy machine must not end its lease.
// 30 s: a watcher saw beats 1 s apart stand still for up to 5.6 s on a loaded 2-core machine,
// and a holder with this TTL fences itself after 29 s without one.
const TTL_SECONDS = 30;
const EXPIRING = { ESCO_LOCK_TTL: String(TTL_SECONDS) };

describe.skipIf(!present)('init on the full ESCO v1.1.1 dataset (real processes)', () => {
  // Lease scenarios: each ingests all of v1.1.1 again, and vectorizing it costs minutes on two
  // cores, so these run without a vectorizer. The vector path on the full dataset is
  // test/ingest/ingest.int.test.ts; on the sample, init-vectors.int.test.ts (kill and resume too).
  const weaviate = useWeaviate({ vectorizer: 'none' });
  const env = (extra: Record<string, string> = {}) => ({
    ...weaviate().env,
    ESCO_DATA: V111,
    ...extra,
  });
  let expected: Record<string, number> = {};

  beforeAll(async () => {
    const dataset = await openDataset([V111], { language: 'en', policy: 'strict', maxRejected: 0 });
    const plan = await buildPlan(dataset, { definitions: loadSchemas({ vectorizer: 'none' }) });
    expected = plan.expected.objects;
  }, 600_000);

  /** Resolves as soon as the heartbeat of `epoch` moves past what it is now: a beat just landed. */
  async function nextBeat(store: WeaviateLeaseStore, epoch: number): Promise<void> {
    const first = await store.readHeartbeat(epoch);
    for (;;) {
      const now = await store.readHeartbeat(epoch);
      if (now?.counter !== first?.counter || now?.state !== 'held') return;
      await sleep(50);
    }
  }

  async function expectExactData(): Promise<void> {
    const client = await weaviate().client();
    for (const [name, n] of Object.entries(expected)) expect(await client.collections.use(name).length(), name).toBe(n);
    const valid = await runCli(['validate'], env());
    expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0);
  }

  it('ingests exactly once when 4 processes start together; all exit 0, none before completion', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const processes = Array.from({ length: 4 }, () => startCli(['init'], env()));
    const ended = await Promise.all(processes.map((p) => p.ended));
    ended.forEach((e, i) => {
      expect(e.exitCode, `process ${i}: ${e.stderr}`).toBe(0);
    });
    const store = new WeaviateStatusStore(client);
    const runs = await store.listRuns('esco', 10);
    expect(runs.map((r) => r.state).sort()).toEqual(['ingested', 'waited', 'waited', 'waited']);
    const status = await store.readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', runId: runs.find((r) => r.state === 'ingested')?.runId });
    const completedAt = Date.parse(status?.completedAt ?? '');
    for (const e of ended) expect(e.endedAt).toBeGreaterThanOrEqual(completedAt);
    await expectExactData();
  }, 900_000);

  it('takes over from a holder killed with SIGKILL mid-ingest within 2×TTL, and completes', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    const victim = startCli(['init'], env());
    await victim.waitForLog((l) => l.msg === 'objects pass', 300_000);
    victim.kill('SIGKILL');
    expect((await victim.ended).signal).toBe('SIGKILL');

    const started = Date.now();
    const next = startCli(['init'], env(EXPIRING));
    // How long it watched the dead holder is asserted below, on its own clock (`silent`).
    const acquired = await next.waitForLog((l) => l.msg === 'acquired the ingestion lease');
    console.info(`takeover ${acquired.time - started} ms after the next start (TTL ${TTL_SECONDS} s)`);
    expect(acquired).toMatchObject({ epoch: 2, previous: 'stale' });
    const ended = await next.ended;
    expect(ended.exitCode, ended.stderr).toBe(0);
    const [run] = await new WeaviateStatusStore(client).listRuns('esco', 1);
    const silent = Number(/no heartbeat for (\d+) s/.exec(run?.events[0]?.event ?? '')?.[1]);
    expect(silent).toBeGreaterThanOrEqual(TTL_SECONDS);
    expect(silent).toBeLessThanOrEqual(2 * TTL_SECONDS);
    expect(run?.state).toBe('ingested');
    await expectExactData();
  }, 900_000);

  it('fences a holder paused past its lease: after SIGCONT it never writes, never publishes, and exits as a follower', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    // The paused holder's TTL is short too: the pause outlasts it (the taker watches for a TTL
    // first), which fences a holder stopped inside a guard, after its look for newer epochs.
    const paused = startCli(['init'], env({ LOG_LEVEL: 'trace', ...EXPIRING }));
    await paused.waitForLog((l) => l.msg === 'objects pass', 300_000);
    paused.kill('SIGSTOP');
    const taker = startCli(['init'], env(EXPIRING));
    await taker.waitForLog((l) => l.msg === 'acquired the ingestion lease');
    const resumedAt = Date.now();
    paused.kill('SIGCONT');
    const [old, fresh] = await Promise.all([paused.ended, taker.ended]);
    expect(old.exitCode, old.stderr).toBe(0);
    expect(fresh.exitCode, fresh.stderr).toBe(0);

    const after = (l: LogLine) => l.time >= resumedAt;
    const confirmations = paused.logs.filter((l) => after(l) && l.msg === 'lease confirmed');
    expect(confirmations, 'no batch passed the fencing check after SIGCONT').toEqual([]);
    expect(paused.logs.some((l) => after(l) && l.msg === 'lease lost: this process stops writing')).toBe(true);

    const store = new WeaviateStatusStore(client);
    const runs = await store.listRuns('esco', 5);
    const oldRun = runs.find((r) => r.pid === paused.pid);
    const newRun = runs.find((r) => r.pid === taker.pid);
    expect(oldRun).toMatchObject({ state: 'waited', epochs: [1] });
    expect(oldRun?.events.map((e) => e.event).join('\n')).toMatch(/lost the lease \(epoch 1\)/);
    expect(newRun).toMatchObject({ state: 'ingested', epochs: [2] });
    const status = await store.readStatus('esco');
    expect(status).toMatchObject({ state: 'completed', runId: newRun?.runId, epoch: 2 });
    expect(old.endedAt).toBeGreaterThanOrEqual(Date.parse(status?.completedAt ?? ''));
    await expectExactData();
  }, 900_000);

  it('unlock leaves a live holder alone with --if-stale, and frees a stuck one at once', async () => {
    const client = await weaviate().client();
    await resetWeaviate(client);
    // Beats every 5 s: stopped right after a beat landed, it has none in flight that could land
    // while unlock watches (a stopped process's last request still completes in Weaviate).
    const holder = startCli(['init'], env({ ESCO_LOCK_HEARTBEAT: '5' }));
    await holder.waitForLog((l) => l.msg === 'objects pass', 300_000);
    const live = await runCli(['unlock', '--if-stale'], env());
    expect(live.exitCode, live.stdout + live.stderr).toBe(1);
    expect(live.stderr).toMatch(/the lease is live .* not unlocked/);

    await nextBeat(new WeaviateLeaseStore(client), 1);
    holder.kill('SIGSTOP');
    const stale = await runCli(['unlock', '--if-stale', '--lock-ttl', String(TTL_SECONDS)], env());
    expect(stale.exitCode, stale.stderr).toBe(0);
    expect(stale.stdout).toMatch(/unlocked: epoch 1 .* is fenced; epoch 2 is released/);
    holder.kill('SIGCONT');
    // The fenced holder notices at its next batch, follows, finds the lease free and finishes itself.
    const ended = await holder.ended;
    expect(ended.exitCode, ended.stderr).toBe(0);
    const [run] = await new WeaviateStatusStore(client).listRuns('esco', 1);
    expect(run).toMatchObject({ state: 'ingested', epochs: [1, 3] });
    await expectExactData();
  }, 900_000);
});
