import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { isEscoInitError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('reads the default profile', () => {
    const config = loadConfig({}, {});
    expect(config.profile).toBe('default');
    expect(config.weaviate.url).toBe('http://weaviate:8080');
    expect(config.data.paths).toEqual(['/data']);
    expect(config.ingest.vectorizer).toBe('text2vec-transformers');
    expect(config.nonInteractive).toBe(false);
  });

  it('merges a named profile over default, keeping what it does not set', () => {
    const config = loadConfig({}, { ESCO_INIT_PROFILE: 'local' });
    expect(config.weaviate.url).toBe('http://127.0.0.1:8080');
    expect(config.data.paths).toEqual(['data/sample']);
    expect(config.ingest.vectorizer).toBe('text2vec-transformers');
    expect(config.ingest).toMatchObject({ batchSize: 32, concurrency: 32 });
    expect(config.lock.ttlSeconds).toBe(30);
  });

  it('batches by vectorizer unless the batch size or concurrency is set', () => {
    expect(loadConfig({}, { ESCO_VECTORIZER: 'none' }).ingest).toEqual({
      vectorizer: 'none',
      batchSize: 250,
      concurrency: 8,
    });
    expect(loadConfig({ ingest: { vectorizer: 'none' } }, { ESCO_CONCURRENCY: '3' }).ingest).toEqual({
      vectorizer: 'none',
      batchSize: 250,
      concurrency: 3,
    });
    expect(loadConfig({ ingest: { batchSize: 40 } }, {}).ingest).toEqual({
      vectorizer: 'text2vec-transformers',
      batchSize: 40,
      concurrency: 32,
    });
  });

  it('lets the environment override the profile and flags override the environment', () => {
    const env = {
      WEAVIATE_URL: 'https://db.example:8443',
      WEAVIATE_GRPC_PORT: '50052',
      WEAVIATE_API_KEY: 'secret',
      ESCO_DATA: '/a:/b',
      ESCO_BATCH_SIZE: '250',
    };
    const config = loadConfig({ ingest: { batchSize: 100 } }, env);
    expect(config.weaviate).toMatchObject({ url: 'https://db.example:8443', grpcPort: 50052, apiKey: 'secret' });
    expect(config.data.paths).toEqual(['/a', '/b']);
    expect(config.ingest.batchSize).toBe(100);
  });

  it('takes the gRPC host and port from WEAVIATE_GRPC_URL', () => {
    const config = loadConfig({}, { WEAVIATE_GRPC_URL: 'http://grpc.example:6000' });
    expect(config.weaviate).toMatchObject({ grpcHost: 'grpc.example', grpcPort: 6000 });
  });

  it.each([
    ['CI', 'true'],
    ['DOCKER_ENV', '1'],
    ['NON_INTERACTIVE', 'yes'],
  ])('is non-interactive when %s is set', (name, value) => {
    expect(loadConfig({}, { [name]: value }).nonInteractive).toBe(true);
  });

  it('is frozen', () => {
    const config = loadConfig({}, {});
    expect(Object.isFrozen(config.weaviate)).toBe(true);
    expect(() => {
      (config.data.paths as string[]).push('x');
    }).toThrow(TypeError);
  });

  it.each([
    [{ WEAVIATE_URL: 'not a url' }, 'weaviate.url'],
    [{ WEAVIATE_GRPC_PORT: '70000' }, 'weaviate.grpcPort'],
    [{ ESCO_ROW_POLICY: 'lenient' }, 'data.rowPolicy'],
    [{ ESCO_BATCH_SIZE: '0' }, 'ingest.batchSize'],
    [{ ESCO_INIT_PROFILE: 'nope' }, 'profile "nope"'],
    [{ ESCO_LOCK_TTL: '10', ESCO_LOCK_HEARTBEAT: '6' }, 'lock.heartbeatSeconds'],
  ])('rejects %o with CONFIG_INVALID naming %s', (env, where) => {
    let caught: unknown;
    try {
      loadConfig({}, env);
    } catch (error) {
      caught = error;
    }
    expect(isEscoInitError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(where);
  });

  it('rejects a config file without a default profile', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esco-init-config-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'local: {}\n');
    expect(() => loadConfig({ configFile: file }, {})).toThrow(/must be a mapping with a "default" profile/);
  });
});
