/**
 * A Weaviate that does not run the vectorizer `init` is configured for (a new user's first try):
 * every copy fails in a second, before reading the dataset or taking the lease, with exit 2 and
 * the setting to change; nothing is created in Weaviate. With the vectorizer set to none, the
 * same Weaviate takes the data (keyword search only).
 */
import { describe, expect, it } from 'vitest';
import { useWeaviate } from '../support/weaviate.ts';
import { runCli, SAMPLE } from './processes.ts';

const weaviate = useWeaviate({ vectorizer: 'none' });

describe('init against a Weaviate without the text2vec-transformers module', () => {
  it('fails every copy at once with exit 2, naming the setting to change, and creates nothing', async () => {
    const env = { ...weaviate().env, ESCO_DATA: SAMPLE, ESCO_VECTORIZER: 'text2vec-transformers' };
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['init'], env)));
    for (const run of runs) {
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain('VECTORIZER_MISSING');
      expect(run.stderr).toContain('does not run the text2vec-transformers module');
      expect(run.stderr).toContain('ENABLE_MODULES=text2vec-transformers');
      expect(run.stderr).toContain('ESCO_VECTORIZER=none');
      expect(run.logs.some((l) => /lease|decision/.test(l.msg))).toBe(false);
    }
    const client = await weaviate().client();
    expect(await client.collections.listAll()).toEqual([]);
    expect((await client.alias.listAll()) ?? []).toEqual([]);
  });

  it('takes the data with ESCO_VECTORIZER=none', async () => {
    const run = await runCli(['init'], { ...weaviate().env, ESCO_DATA: SAMPLE, ESCO_VECTORIZER: 'none' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.logs.some((l) => l.outcome === 'ingested')).toBe(true);
  });
});
