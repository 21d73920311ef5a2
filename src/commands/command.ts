/**
 * What every `esco-init <command>` is, and the one start-up they share: help → flags →
 * configuration → logger → Weaviate client. src/cli.ts dispatches to the commands.
 */
import type { Writable } from 'node:stream';
import { type Config, loadConfig } from '../config/config.ts';
import type { Logger } from '../log.ts';
import type { WeaviateClient } from '../weaviate/client.ts';
import { configOverrides, type FlagTable, type FlagValues, parseFlags } from './flags.ts';
import { commandHelp } from './help.ts';

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
  /** Full help text for `esco-init <name> --help`: usage line, options, exit codes. */
  help: string;
  /** The flags it takes: what it parses, what its help lists, which settings they override. */
  flags: FlagTable;
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

export interface CommandSpec<F extends FlagTable> {
  name: string;
  /** What follows `Usage: ` in the help. */
  usage: string;
  /** The help's description, between the usage line and the options. */
  about: string;
  flags: F;
  /** The command's own exit codes for its help (`Exit codes: …`); else the general table. */
  exitCodes?: string;
  /** 'warn' for the commands whose output is a report: info lines would only get in its way. */
  logLevel?: 'warn';
  run(started: Started<F>): Promise<number>;
}

/** What the start-up hands a command. */
export interface Started<F extends FlagTable> {
  flags: FlagValues<F>;
  config: Config;
  io: CommandIO;
  /** A logger on `destination` (default stderr); pino is loaded only by the commands that log. */
  logger(destination?: Writable & { isTTY?: boolean }): Promise<Logger>;
  /** Connects to Weaviate (waiting until it is ready), runs `work`, and closes the client. */
  withClient<T>(work: (client: WeaviateClient, log: Logger) => Promise<T>): Promise<T>;
}

export function defineCommand<F extends FlagTable>(spec: CommandSpec<F>): Command {
  const help = commandHelp(spec);
  return {
    help,
    flags: spec.flags,
    async run(argv, io) {
      // Before parsing: `--help` works whatever else is on the line.
      if (argv.includes('--help') || argv.includes('-h')) {
        io.stdout.write(`${help}\n`);
        return 0;
      }
      const flags = parseFlags(spec.name, argv, spec.flags);
      const config = loadConfig(configOverrides(spec.flags, flags), io.env);
      const logger = async (destination = io.stderr) => {
        const { createLogger } = await import('../log.ts');
        const level = spec.logLevel ?? config.log.level;
        return createLogger({ ...config.log, level }, destination);
      };
      const withClient = async <T>(work: (client: WeaviateClient, log: Logger) => Promise<T>) => {
        const log = await logger();
        const weaviate = await import('../weaviate/client.ts');
        return weaviate.withClient(config.weaviate, log, io.signal, (client) => work(client, log));
      };
      return spec.run({ flags, config, io, logger, withClient });
    },
  };
}
