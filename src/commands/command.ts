/** What every `esco-init <command>` implements; src/cli.ts dispatches to these. */
import type { Writable } from 'node:stream';

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdinIsTTY: boolean;
  /** The process environment, handed to loadConfig only. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM; `signal.reason` is 'SIGINT' | 'SIGTERM'. */
  signal: AbortSignal;
}

export interface Command {
  /** Full help text for `esco-init <name> --help`: usage line, options, exit codes if special. */
  help: string;
  /** Returns the process exit code; throws EscoInitError for failures (cli.ts maps it to an exit code). */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * A line of the command table in src/cli.ts: the module is imported only when its command runs,
 * so each command pays for its own dependencies alone (the Weaviate client takes ~0.3 s to load).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<{ command: Command }>;
}
