import { describe, expect, it } from 'vitest';
import { EscoInitError } from '../../src/errors.ts';
import {
  type Manifest,
  newManifest,
  type PassDefinition,
  passesToResume,
  runPipeline,
  skipRemaining,
} from '../../src/ingest/pipeline.ts';

interface Trace {
  ran: string[];
  resumePoints: string[][];
  manifests: Manifest[];
}

function passes(trace: Trace, failing?: { name: string; error: Error }): PassDefinition[] {
  const pass = (name: string, resumable: boolean): PassDefinition => ({
    name,
    resumable,
    run: async () => {
      trace.ran.push(name);
      if (failing?.name === name) throw failing.error;
      return { counts: { [name]: trace.ran.length } };
    },
  });
  return [
    pass('read', false),
    pass('schema', false),
    pass('objects', true),
    pass('references', true),
    pass('verify', false),
    pass('publish', false),
  ];
}

function newTrace(): Trace {
  return { ran: [], resumePoints: [], manifests: [] };
}

function hooks(trace: Trace) {
  return {
    onManifest: async (m: Manifest) => {
      trace.manifests.push(structuredClone(m));
    },
    onResumePoint: async (completed: string[]) => {
      trace.resumePoints.push(completed);
    },
  };
}

describe('runPipeline', () => {
  it('runs every pass in order and records each with its counts and timing', async () => {
    const trace = newTrace();
    const list = passes(trace);
    let t = 0;
    const manifest = await runPipeline(list, newManifest(list), {
      completed: [],
      hooks: hooks(trace),
      now: () => (t += 5),
    });
    expect(trace.ran).toEqual(['read', 'schema', 'objects', 'references', 'verify', 'publish']);
    expect(manifest.passes.map((p) => p.status)).toEqual(Array(6).fill('done'));
    expect(manifest.passes[2]).toMatchObject({ name: 'objects', counts: { objects: 3 }, ms: 5 });
    expect(manifest.resumed).toEqual([]);
    // The resume point shrinks before a writing pass is redone, and grows after it completes.
    expect(trace.resumePoints).toEqual([[], ['objects'], ['objects'], ['objects', 'references']]);
  });

  it('stops at the first failure: later passes never start, the failure is in the manifest', async () => {
    const trace = newTrace();
    const error = new EscoInitError('WRITE_FAILED', 'batch refused');
    const list = passes(trace, { name: 'references', error });
    const manifest = newManifest(list);
    await expect(runPipeline(list, manifest, { completed: [], hooks: hooks(trace) })).rejects.toBe(error);
    expect(trace.ran).toEqual(['read', 'schema', 'objects', 'references']);
    skipRemaining(manifest, 'not started');
    expect(manifest.passes.map((p) => p.status)).toEqual(['done', 'done', 'done', 'failed', 'skipped', 'skipped']);
    expect(manifest.passes[3]?.error).toEqual({ code: 'WRITE_FAILED', message: 'batch refused' });
    expect(trace.resumePoints.at(-1)).toEqual(['objects']);
  });

  it('resumes completed writing passes but always reads, ensures the schema, verifies and publishes', async () => {
    const trace = newTrace();
    const list = passes(trace);
    const manifest = await runPipeline(list, newManifest(list), { completed: ['objects'], hooks: hooks(trace) });
    expect(trace.ran).toEqual(['read', 'schema', 'references', 'verify', 'publish']);
    expect(manifest.resumed).toEqual(['objects']);
    expect(manifest.passes[2]).toMatchObject({ status: 'resumed', startedAt: null });
  });

  it('never resumes a pass after one that had to be redone', () => {
    const list = passes(newTrace());
    expect(passesToResume(list, ['references'])).toEqual([]);
    expect(passesToResume(list, ['objects', 'references'])).toEqual(['objects', 'references']);
    expect(passesToResume(list, ['verify', 'publish'])).toEqual([]);
  });

  it('refuses a manifest that does not describe these passes', async () => {
    const trace = newTrace();
    const list = passes(trace);
    const wrong = newManifest(list.slice(1));
    await expect(runPipeline(list, wrong, { completed: [], hooks: hooks(trace) })).rejects.toThrow(/manifest/);
    expect(trace.ran).toEqual([]);
  });
});
