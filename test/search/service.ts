/**
 * Test helpers for the search service as a real process: `esco-init serve` and `esco-init init`
 * started as children of the test, pointed at the file's Weaviate (test/support/weaviate.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { VECTOR_NAME } from '../../src/weaviate/schema.ts';
import type { TestWeaviate } from '../support/weaviate.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE = path.join(ROOT, 'data/sample');
const CLI = path.join(ROOT, 'src/cli.ts');

export interface Hit {
  id: string;
  uri: string;
  label: string;
  score?: number | null;
  distance?: number | null;
  [property: string]: unknown;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export interface SearchService {
  /** Runs an `esco-init` command (e.g. `['init']`) to its end; `env` adds settings for this run. */
  esco(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stderr: string }>;
  /** Starts `esco-init serve` on a free port (test profile: port 0); resolves once it listens. */
  start(): Promise<void>;
  get(pathAndQuery: string): Promise<Answer>;
}

/** Registers the server's shutdown after the file's tests; `extraEnv` e.g. sets the vectorizer. */
export function useSearchService(weaviate: () => TestWeaviate, extraEnv: Record<string, string> = {}): SearchService {
  let server: ChildProcess | undefined;
  let base = '';
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...weaviate().env,
    ESCO_INIT_PROFILE: 'test',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    ...extraEnv,
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  return {
    esco: (args, extra = {}) => run(args, { ...env(), ...extra }),
    async start() {
      server = spawn(process.execPath, [CLI, 'serve'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
      base = await listeningUrl(server);
    },
    async get(pathAndQuery) {
      const res = await fetch(`${base}${pathAndQuery}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
    },
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Reads the URL from the server's log line; rejects if it exits first. */
function listeningUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    server.stderr?.on('data', (d: Buffer) => {
      log += d;
      const url = /listening on (http:\/\/[\d.:]+)/.exec(log)?.[1];
      if (url) resolve(url);
    });
    server.on('exit', (code) => reject(new Error(`esco-init serve exited ${code}:\n${log}`)));
  });
}

/** The query string of an object, repeated keys given as arrays. */
export function query(params: Record<string, string | number | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of [value].flat()) search.append(key, String(v));
  }
  return search.toString();
}

export interface StoredVectors {
  /** The module of the collection's vector, as Weaviate's schema has it (`none` without one). */
  vectorizer: string;
  /** The length of each stored object's vector; 0 for an object without one. */
  lengths: number[];
}

/**
 * What Weaviate itself holds for a collection (its REST API, neither the service nor the client
 * it uses), so that a test can show it ran with or without vectors for real. Up to 100 objects:
 * the whole sample.
 */
export async function storedVectors(weaviateUrl: string, collection: string): Promise<StoredVectors> {
  type Schema = { vectorConfig?: Record<string, { vectorizer?: Record<string, unknown> }> };
  type Objects = { objects?: { vectors?: Record<string, number[]> }[] };
  const schema = (await (await fetch(`${weaviateUrl}/v1/schema/${collection}`)).json()) as Schema;
  const url = `${weaviateUrl}/v1/objects?class=${collection}&limit=100&include=vector`;
  const listed = (await (await fetch(url)).json()) as Objects;
  return {
    vectorizer: Object.keys(schema.vectorConfig?.[VECTOR_NAME]?.vectorizer ?? {}).join(', '),
    lengths: (listed.objects ?? []).map((o) => o.vectors?.[VECTOR_NAME]?.length ?? 0),
  };
}
