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
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  secrets?: string[];
  restart?: string;
  command?: string[];
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
}

function load(file: string): ComposeFile {
  return parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as ComposeFile;
}

const main = load('docker-compose.yml');
const bm25 = load('docker-compose.no-transformers.yml');
const admin = load('docker-compose.admin.yml');
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
      'weaviate-roles': { condition: 'service_completed_successfully' },
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
    // Readiness answers without a key; anything that needs one would make the check fail for ever.
    expect(main.services.weaviate?.healthcheck?.test.join(' ')).not.toMatch(/auth|bearer|secrets/i);
    for (const [, service] of withChecks) {
      const [form, ...args] = service.healthcheck?.test ?? [];
      expect(form).toBe('CMD');
      for (const arg of args) expect(arg).not.toMatch(/\s/);
    }
  });
});

/** The secrets each service of `file` (with overrides merged as compose 1.29 does: lists joined) gets. */
function secretsOf(...files: ComposeFile[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of files) {
    for (const [name, service] of Object.entries(file.services)) {
      out[name] = [...new Set([...(out[name] ?? []), ...(service.secrets ?? [])])].sort();
    }
  }
  return out;
}

/** esco-init's key settings (WEAVIATE_API_KEY, ESCO_*_KEYS, ESCO_ADMIN_WEAVIATE_API_KEY, their _FILE forms). */
const KEY_VARIABLE = /API_KEY|_KEYS/;

describe('docker-compose.yml: least privilege', () => {
  const weaviate = main.services.weaviate;

  it('runs Weaviate without anonymous access, with API keys for root, esco-init and esco-search, and RBAC', () => {
    expect(weaviate?.environment).toMatchObject({
      AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'false',
      AUTHENTICATION_APIKEY_ENABLED: 'true',
      AUTHENTICATION_APIKEY_USERS: 'root,esco-init,esco-search',
      AUTHORIZATION_RBAC_ENABLED: 'true',
      AUTHORIZATION_RBAC_ROOT_USERS: 'root',
    });
    // The keys come from the secret files only, never from the compose file or its variables.
    expect(weaviate?.environment).not.toHaveProperty('AUTHENTICATION_APIKEY_ALLOWED_KEYS');
  });

  it("reads Weaviate's keys from the secrets in the order of its users, then runs the image's entrypoint", () => {
    const [shell, flag, script = '', arg0] = weaviate?.entrypoint ?? [];
    expect([shell, flag, arg0]).toEqual(['/bin/sh', '-c', 'weaviate']);
    expect(script).toContain('for s in weaviate_root_key weaviate_init_key weaviate_search_key;');
    expect(script).toContain('export AUTHENTICATION_APIKEY_ALLOWED_KEYS=');
    expect(script.trim()).toMatch(/exec \/bin\/weaviate "\$\$@"$/);
    expect(weaviate?.command).toEqual(['--host', '0.0.0.0', '--port', '8080', '--scheme', 'http']);
  });

  it('gives every service only its own keys: the root key only to weaviate and weaviate-roles', () => {
    expect(secretsOf(main)).toEqual({
      weaviate: ['weaviate_init_key', 'weaviate_root_key', 'weaviate_search_key'],
      'weaviate-roles': ['weaviate_root_key'],
      't2v-transformers': [],
      'esco-init': ['weaviate_init_key'],
      'esco-search': ['esco_monitor_keys', 'weaviate_search_key'],
    });
    const holders = Object.entries(secretsOf(main, admin)).filter(([, s]) => s.includes('weaviate_root_key'));
    expect(holders.map(([name]) => name).sort()).toEqual(['weaviate', 'weaviate-roles']);
  });

  it('gives keys to esco-init and esco-search only as files of secrets the service holds', () => {
    const expected: Record<string, Record<string, string>> = {
      'weaviate-roles': { WEAVIATE_API_KEY_FILE: '/run/secrets/weaviate_root_key' },
      'esco-init': { WEAVIATE_API_KEY_FILE: '/run/secrets/weaviate_init_key' },
      'esco-search': {
        WEAVIATE_API_KEY_FILE: '/run/secrets/weaviate_search_key',
        ESCO_MONITOR_KEYS_FILE: '/run/secrets/esco_monitor_keys',
      },
    };
    for (const [name, service] of Object.entries(main.services)) {
      const keyVariables = Object.fromEntries(
        Object.entries(service.environment ?? {}).filter(([k]) => KEY_VARIABLE.test(k)),
      );
      expect(keyVariables, name).toEqual(expected[name] ?? {});
      for (const file of Object.values(keyVariables)) {
        expect(service.secrets, name).toContain(file.replace('/run/secrets/', ''));
      }
    }
  });

  it('applies the roles once, with the root key, before esco-init starts', () => {
    const roles = main.services['weaviate-roles'];
    expect(roles?.image).toBe(main.services['esco-init']?.image);
    expect(roles?.command).toEqual(['roles', 'apply']);
    expect(roles?.depends_on).toEqual({ weaviate: { condition: 'service_healthy' } });
    expect(roles?.restart).toBe('no');
  });

  it("reads every secret from the folder scripts/compose-secrets.sh writes, under the script's file names", () => {
    const script = read('scripts/compose-secrets.sh');
    expect(main.secrets).toEqual(bm25.secrets);
    for (const [name, { file }] of Object.entries(main.secrets ?? {})) {
      expect(file, name).toBe(`\${ESCO_SECRETS_DIR:-./secrets}/${name.replaceAll('_', '-')}`);
      expect(script, name).toMatch(new RegExp(`^write ${name.replaceAll('_', '-')}( |$)`, 'm'));
    }
    expect(Object.keys(main.secrets ?? {}).sort()).toEqual([
      'esco_admin_keys',
      'esco_monitor_keys',
      'weaviate_init_key',
      'weaviate_root_key',
      'weaviate_search_key',
    ]);
    expect(read('.gitignore').split('\n')).toContain('secrets/');
  });
});

describe('docker-compose.admin.yml', () => {
  const search = admin.services['esco-search'];

  it('overrides only esco-search: admin keys, the esco-init key for its runs, the data read-only', () => {
    expect(Object.keys(admin.services)).toEqual(['esco-search']);
    expect(search?.secrets?.slice().sort()).toEqual(['esco_admin_keys', 'weaviate_init_key']);
    expect(search?.environment).toEqual({
      ESCO_ADMIN_KEYS_FILE: '/run/secrets/esco_admin_keys',
      ESCO_ADMIN_WEAVIATE_API_KEY_FILE: '/run/secrets/weaviate_init_key',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, not a template
      ESCO_KEEP_GENERATIONS: '${ESCO_KEEP_GENERATIONS:-1}',
    });
    expect(search?.volumes).toEqual(main.services['esco-init']?.volumes);
    expect(search?.volumes?.every((v) => v.endsWith(':ro'))).toBe(true);
  });

  it('leaves the search requests on the read-only key, and runs with the vectorizer esco-init uses', () => {
    expect(search?.environment).not.toHaveProperty('WEAVIATE_API_KEY_FILE');
    for (const file of [main, bm25]) {
      expect(file.services['esco-search']?.environment?.ESCO_VECTORIZER).toBe(
        file.services['esco-init']?.environment?.ESCO_VECTORIZER,
      );
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
    const search = expected.services['esco-search'];
    if (search?.environment) search.environment.ESCO_VECTORIZER = 'none';
    expect(bm25).toEqual(expected);
  });
});
