/**
 * `esco-init init` (the default command and the container entrypoint): parses flags into config
 * overrides, sets up logging (NDJSON off a terminal, readable lines and a progress line on one)
 * and the re-ingest prompt (only for a person at a terminal), then runs src/scripts/init.ts.
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { type ConfigOverrides, loadConfig } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { TtyProgress } from '../orchestration/tty-progress.ts';
import { runInit } from '../scripts/init.ts';
import type { Command, CommandIO } from './command.ts';
import { parseFlags } from './flags.ts';

const HELP = `Usage: esco-init [init] [options]

Makes Weaviate hold the complete ESCO dataset, exactly once however many copies start together:
waits for Weaviate, then skips (already complete for this dataset and schema: ~1 s), ingests
under a lease (read+validate → schema → objects → references → verify → publish; a failed run's
completed passes are resumed), or waits for the process that holds the lease and exits 0 once
the data is complete (taking over if that process dies).

Options:
  --data <path>          ESCO zip, folder or CSV; repeat for several (default: config data.paths)
  --language <code>      language bundle to read (default: config data.language)
  --profile <name>       configuration profile (config/weaviate_config.yaml; env ESCO_INIT_PROFILE)
  --config <file>        configuration file (env ESCO_INIT_CONFIG)
  --url <url>            Weaviate HTTP URL (env WEAVIATE_URL)
  --force-reingest       ingest even if the data is complete (still under the lease)
  --yes, -y              do not ask before re-ingesting complete data (never asked off a terminal,
                         nor with CI, DOCKER_ENV or NON_INTERACTIVE set)
  --wait-timeout <s>     give up waiting for another holder after this long (exit 4)
  --lock-ttl <s>         a holder whose heartbeat has not moved this long is taken over
  --heartbeat <s>        how often the holder beats (at most half the TTL)
  --startup-timeout <s>  how long to wait for Weaviate to be ready (exit 3)
  --dry-run              print what init would do (skip / ingest / wait) and why; write nothing
  --log-level <level>    trace | debug | info | warn | error | silent
  --log-format <format>  json | pretty | auto (auto: pretty on a terminal, NDJSON otherwise)`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const flags = parse(argv);
    const config = loadConfig(overrides(flags), io.env);
    const tty = io.stderr.isTTY === true && config.log.format !== 'json';
    const progress = tty ? new TtyProgress(io.stderr) : undefined;
    const log = createLogger(config.log, progress?.stream ?? io.stderr);
    const interactive = io.stdinIsTTY && !config.nonInteractive && !flags.yes;
    try {
      return await runInit({
        config,
        force: flags['force-reingest'] === true,
        dryRun: flags['dry-run'] === true,
        log,
        signal: io.signal,
        out: io.stdout,
        confirm: interactive ? (question) => ask(question, io) : undefined,
        onProgress: progress ? (p) => progress.update(p) : undefined,
      });
    } catch (error) {
      if (error instanceof EscoInitError) log.error({ code: error.code, details: error.details }, error.message);
      throw error;
    } finally {
      progress?.done();
    }
  },
};

type Flags = ReturnType<typeof parse>;

function parse(argv: string[]) {
  return parseFlags('init', argv, {
    data: { type: 'string', multiple: true },
    language: { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
    url: { type: 'string' },
    'force-reingest': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'wait-timeout': { type: 'string' },
    'lock-ttl': { type: 'string' },
    heartbeat: { type: 'string' },
    'startup-timeout': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'log-level': { type: 'string' },
    'log-format': { type: 'string' },
  });
}

function overrides(v: Flags): ConfigOverrides {
  return {
    profile: v.profile,
    configFile: v.config,
    weaviate: { url: v.url, startupTimeoutSeconds: v['startup-timeout'] },
    data: { paths: v.data?.map((p) => path.resolve(p)), language: v.language },
    lock: { ttlSeconds: v['lock-ttl'], heartbeatSeconds: v.heartbeat, waitTimeoutSeconds: v['wait-timeout'] },
    log: { level: v['log-level'], format: v['log-format'] },
  };
}

/** Only called for a person at a terminal; a signal cancels the question. */
async function ask(question: string, io: CommandIO): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: io.signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
