/**
 * Real `esco-init` processes for the integration tests: `node src/cli.ts …` started with execa,
 * NDJSON logs parsed as they arrive, and helpers to reset the Weaviate between scenarios.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { WeaviateClient } from 'weaviate-client';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'src/cli.ts');
export const SAMPLE = path.join(ROOT, 'data/sample');

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface Ended {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** Wall-clock time the process ended (this host). */
  endedAt: number;
}

export interface CliProcess {
  pid: number;
  logs: LogLine[];
  ended: Promise<Ended>;
  kill(signal: NodeJS.Signals): void;
  /**
   * Resolves with the first log line that matches (already seen or still to come); rejects when
   * the process ends without one. The timeout is a safety net for a hung process, not a margin.
   */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = execa(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ESCO_INIT_PROFILE: 'test',
      LOG_FORMAT: 'json',
      NON_INTERACTIVE: '1',
      ...env,
    },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  const logs: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      if (!raw.startsWith('{')) continue;
      const line = JSON.parse(raw) as LogLine;
      logs.push(line);
      for (const w of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const ended = child.then((r) => ({
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    endedAt: Date.now(),
  }));
  return {
    pid: child.pid ?? -1,
    logs,
    ended,
    kill: (signal) => child.kill(signal),
    waitForLog(match, timeoutMs = 600_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        // execa settles after stderr has ended: every line the process wrote has been seen by then.
        ended.then(() => {
          clearTimeout(timer);
          reject(new Error('the process ended without the expected log line'));
        });
      });
    },
  };
}

export async function runCli(args: string[], env: Record<string, string>): Promise<Ended & { logs: LogLine[] }> {
  const p = startCli(args, env);
  const ended = await p.ended;
  return { ...ended, logs: p.logs };
}

/**
 * Back to an empty Weaviate: every alias (lease tickets, published names) and every collection
 * gone. Weaviate deletes an aliased collection and leaves the alias dangling: aliases go first.
 */
export async function resetWeaviate(client: WeaviateClient): Promise<void> {
  for (const alias of (await client.alias.listAll()) ?? []) await client.alias.delete(alias.alias);
  await client.collections.deleteAll();
}

export function outcomeLine(logs: LogLine[]): LogLine | undefined {
  return logs.find((l) => typeof l.outcome === 'string');
}
