/**
 * Keeps docker-compose.no-transformers.yml equal to docker-compose.yml minus the transformers
 * parts (Compose cannot remove a service in an override file), and pins what docker-compose.yml
 * promises: the compose end-to-end suite runs both, but builds the images itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as parseYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  restart?: string;
  command?: string[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

function load(file: string): ComposeFile {
  return parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as ComposeFile;
}

const main = load('docker-compose.yml');
const bm25 = load('docker-compose.no-transformers.yml');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('docker-compose.yml', () => {
  it('runs the pinned Weaviate with autoschema off and a /v1 readiness health check', () => {
    const version = readFileSync(path.join(ROOT, 'resources/weaviate-version'), 'utf8').trim();
    const weaviate = main.services.weaviate;
    expect(weaviate?.image).toBe(`cr.weaviate.io/semitechnologies/weaviate:${version}`);
    expect(weaviate?.environment?.AUTOSCHEMA_ENABLED).toBe('false');
    expect(weaviate?.healthcheck?.test.join(' ')).toContain('/v1/.well-known/ready');
    expect(weaviate?.volumes).toEqual(['weaviate_data:/var/lib/weaviate']);
  });

  it('starts esco-init after healthy dependencies, once, and esco-search after it succeeded', () => {
    const init = main.services['esco-init'];
    expect(init?.depends_on).toEqual({
      weaviate: { condition: 'service_healthy' },
      't2v-transformers': { condition: 'service_healthy' },
    });
    expect(init?.restart).toBe('no');
    expect(init?.environment?.NON_INTERACTIVE).toBe('true');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, not a template
    expect(init?.volumes).toEqual(['${ESCO_DATA_DIR:-./data/esco}:/data:ro']);
    expect(main.services['esco-search']?.depends_on).toEqual({
      'esco-init': { condition: 'service_completed_successfully' },
    });
    expect(main.services['esco-search']?.image).toBe(init?.image);
  });

  it('vectorizes with the model the tests run, each concept text as one sequence', () => {
    const tested = /^NAME = "(.+)"$/m.exec(read('inference/convert.py'))?.[1];
    expect(tested).toBe('sentence-transformers/all-MiniLM-L6-v2');
    const t2v = main.services['t2v-transformers'];
    expect(t2v?.image).toBe(`cr.weaviate.io/semitechnologies/transformers-inference:${tested?.replace('/', '-')}`);
    expect(t2v?.environment).toEqual({ ENABLE_CUDA: '0', T2V_TRANSFORMERS_DIRECT_TOKENIZE: 'true' });
    expect(main.services.weaviate?.environment?.TRANSFORMERS_INFERENCE_API).toBe('http://t2v-transformers:8080');
    // python3 is in Weaviate's images and in inference/Dockerfile's; curl and wget are in neither.
    expect(t2v?.healthcheck?.test.slice(0, 2)).toEqual(['CMD', 'python3']);
    expect(t2v?.healthcheck?.test.join(' ')).toContain('http://localhost:8080/.well-known/ready');
  });

  it('points its readers at a compose guide that exists', () => {
    const header = read('docker-compose.yml')
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .map((line) => line.replace(/^#\s?/, ''))
      .join(' ');
    const guide = /Usage: (docs\/[\w-]+\.md)/.exec(header)?.[1];
    expect(guide).toBe('docs/compose.md');
    expect(read(guide ?? '')).toMatch(/^# Running with Docker Compose/);
  });

  it('has health checks whose arguments survive podman, which splits CMD arguments at spaces', () => {
    const withChecks = Object.entries(main.services).filter(([, s]) => s.healthcheck);
    expect(withChecks.map(([name]) => name).sort()).toEqual(['esco-search', 't2v-transformers', 'weaviate']);
    for (const [, service] of withChecks) {
      const [form, ...args] = service.healthcheck?.test ?? [];
      expect(form).toBe('CMD');
      for (const arg of args) expect(arg).not.toMatch(/\s/);
    }
  });
});

describe('docker-compose.no-transformers.yml', () => {
  it('is docker-compose.yml without t2v-transformers and with vectorizer none', () => {
    const expected = structuredClone(main);
    delete expected.services['t2v-transformers'];
    const env = expected.services.weaviate?.environment ?? {};
    delete env.ENABLE_MODULES;
    delete env.TRANSFORMERS_INFERENCE_API;
    env.DEFAULT_VECTORIZER_MODULE = 'none';
    const init = expected.services['esco-init'];
    delete init?.depends_on?.['t2v-transformers'];
    if (init?.environment) init.environment.ESCO_VECTORIZER = 'none';
    expect(bm25).toEqual(expected);
  });
});
