/**
 * `esco-init ingest` without a Weaviate: what it decides before it has a connection.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseFiles, csv, removeFolders, row, S2, writeFolder } from '../esco/fixtures.ts';
import { cliWith } from '../support/cli.ts';

afterAll(removeFolders);

describe('esco-init ingest', () => {
  it('fails on a bad dataset at once (exit 2), without waiting for a Weaviate that does not answer', async () => {
    const bad = writeFolder({
      ...baseFiles(),
      'skills_en.csv': csv('skills', row('skills'), row('skills', { conceptUri: S2, skillType: 'talent' })),
    });
    // Nothing listens on port 9: connecting alone would wait the whole 600 s startup timeout.
    const env = { WEAVIATE_URL: 'http://127.0.0.1:9', WEAVIATE_STARTUP_TIMEOUT: '600', LOG_LEVEL: 'silent' };
    const started = performance.now();
    const { code, err } = await cliWith(env, 'ingest', '--data', bad);
    expect(code).toBe(2);
    expect(err).toContain('DATA_INVALID');
    expect(err).toMatch(/skills_en\.csv:\d+ skillType="talent"/);
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
