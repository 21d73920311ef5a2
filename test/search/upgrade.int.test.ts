/**
 * Readers under an upgrade: `esco-init serve` answers a steady load (20 requests/s, at most 4 in
 * flight) while `init` replaces release A (the sample) with release B (relabelled, removed and
 * added concepts: test/support/releases.ts) on the default vectorizer, and again while `rollback`
 * brings A back. Every answer names its generation; each must be whole and of that generation's
 * release: no error, no empty result for a query that matches in both, every label and every
 * found / not found as that release has it, and never A again once B was answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeaviateStatusStore } from '../../src/weaviate/metadata-status-store.ts';
import { runCli } from '../scripts/processes.ts';
import { type Load, type Sampled, startLoad } from '../support/load-generator.ts';
import { type Release, type ReleaseChanges, readRelease, writeReleaseB } from '../support/releases.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { type Hit, query, SAMPLE, useSearchService } from './service.ts';

const weaviate = useWeaviate();
const service = useSearchService(weaviate);
const scratch = mkdtempSync(path.join(tmpdir(), 'esco-init-upgrade-'));
const B = path.join(scratch, 'release-b');
const env = (data: string) => ({ ...weaviate().env, ESCO_DATA: data });
let changes: ReleaseChanges;
const releases = new Map<number, Release>();

type Type = 'skill' | 'occupation';
interface Ask {
  kind: string;
  path: string;
  /** For /skills/<id>: the concept asked for. */
  uri?: string;
  type: Type;
}
interface Answered {
  ask: Ask;
  status: number;
  body: Record<string, unknown>;
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  changes = writeReleaseB(SAMPLE, B);
  const a = await runCli(['init'], env(SAMPLE));
  expect(a.exitCode, a.stderr).toBe(0);
  releases.set(await publishedGeneration(), readRelease(SAMPLE));
  await service.start();
}, 300_000);

async function publishedGeneration(): Promise<number> {
  const status = await new WeaviateStatusStore(await weaviate().client()).readStatus('esco');
  if (status?.state !== 'completed' || typeof status.generation !== 'number') {
    throw new Error(`no published generation: ${JSON.stringify(status)}`);
  }
  return status.generation;
}

/** The queries, in rotation: each tells A from B, and each but the removed/added ones matches in both. */
function asks(): Ask[] {
  const skill = changes.relabelled.find((c) => c.type === 'skill');
  const occupation = changes.relabelled.find((c) => c.type === 'occupation');
  const [removed] = changes.removed;
  const [added] = changes.added;
  if (!skill || !occupation || !removed || !added) throw new Error('release B lacks a kind of change');
  const id = (uri: string) => uri.split('/').pop() ?? '';
  return [
    { kind: 'search skill', type: 'skill', path: `/search?${query({ q: skill.before, limit: 10 })}` },
    { kind: 'relabelled skill', type: 'skill', uri: skill.uri, path: `/skills/${id(skill.uri)}` },
    { kind: 'removed skill', type: 'skill', uri: removed, path: `/skills/${id(removed)}` },
    { kind: 'added skill', type: 'skill', uri: added, path: `/skills/${id(added)}` },
    {
      kind: 'search occupation',
      type: 'occupation',
      path: `/search?${query({ q: occupation.before, type: 'occupation', limit: 10 })}`,
    },
  ];
}

function startReaders(): Load<Answered> {
  const rotation = asks();
  return startLoad({
    ratePerSecond: 20,
    concurrency: 4,
    request: async (i) => {
      const ask = rotation[i % rotation.length] as Ask;
      const { status, body } = await service.get(ask.path);
      return { ask, status, body };
    },
  });
}

const generationOf = (s: Sampled<Answered>) => s.result?.body.generation;

/** What is wrong with an answer, for the release its generation names; null when nothing is. */
function problem(s: Sampled<Answered>): string | null {
  if (!s.result) return `request failed: ${s.error}`;
  const { ask, status, body } = s.result;
  const release = releases.get(Number(body.generation));
  if (!release) return `${ask.kind}: answered from unknown generation ${String(body.generation)}`;
  const labels = ask.type === 'skill' ? release.skills : release.occupations;
  if (ask.uri !== undefined) {
    const expected = labels.get(ask.uri);
    if (expected === undefined) return status === 404 ? null : `${ask.kind}: ${status}, expected 404`;
    return status === 200 && body.label === expected ? null : `${ask.kind}: ${status} ${String(body.label)}`;
  }
  const results = (body.results ?? []) as Hit[];
  if (status !== 200 || results.length === 0) return `${ask.kind}: ${status} with ${results.length} results`;
  const wrong = results.filter((h) => labels.get(h.uri) !== h.label);
  return wrong.length === 0 ? null : `${ask.kind}: not of this release: ${wrong.map((h) => h.label).join(', ')}`;
}

/** Resolves once every kind of query was answered from `generation`. */
async function everyKindFrom(readers: Load<Answered>, generation: number): Promise<void> {
  for (const { kind } of asks()) {
    await readers.waitFor((s) => generationOf(s) === generation && s.result?.ask.kind === kind);
  }
}

/**
 * Runs a CLI command under the readers; they stop once every kind of query was answered from
 * the generation it published.
 * Every answer must be whole and of one release, and none from `from` once one came from `to`.
 */
async function underLoad(args: string[], data: string, from: number): Promise<number> {
  const readers = startReaders();
  await everyKindFrom(readers, from);
  const started = Date.now();
  const run = await runCli(args, env(data));
  const ms = Date.now() - started;
  expect(run.exitCode, run.stderr).toBe(0);
  const to = await publishedGeneration();
  expect(to).not.toBe(from);
  if (!releases.has(to)) releases.set(to, readRelease(data));
  await everyKindFrom(readers, to);
  const reads = await readers.stop();

  expect(reads.map(problem).filter((p) => p !== null)).toEqual([]);
  expect(new Set(reads.map(generationOf))).toEqual(new Set([from, to]));
  const firstNew = Math.min(...reads.filter((s) => generationOf(s) === to).map((s) => s.endedAt));
  const backToOld = reads.filter((s) => s.startedAt > firstNew && generationOf(s) === from);
  expect(backToOld.map((s) => s.index)).toEqual([]);
  const latencies = reads.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.info(
    `${args.join(' ')} under load: ${ms} ms; ${reads.length} answers (${reads.filter((s) => generationOf(s) === from).length} from generation ${from}, ${reads.filter((s) => generationOf(s) === to).length} from ${to}), ${readers.dropped} ticks dropped, 0 errors; latency p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${latencies.at(-1)} ms`,
  );
  return to;
}

describe('readers under an upgrade (esco-init serve, default vectorizer)', () => {
  it('answers every request whole from one release while init replaces A by B, and while rollback brings A back', async () => {
    const [a] = [...releases.keys()];
    if (a === undefined) throw new Error('release A was not published');
    const b = await underLoad(['init'], B, a);
    expect(await underLoad(['rollback'], B, b)).toBe(a);
  }, 120_000);
});
