/**
 * `esco-init init` (the default command and the container entrypoint): logging (NDJSON off a
 * terminal, readable lines and a progress line on one) and the re-ingest prompt (only for a
 * person at a terminal) around src/scripts/init.ts, the entrypoint (src/init assembles the run).
 */
import { createInterface } from 'node:readline/promises';
import { EscoInitError } from '../errors.ts';
import { TtyProgress } from '../orchestration/tty-progress.ts';
import { runInit } from '../scripts/init.ts';
import { type CommandIO, defineCommand } from './command.ts';
import { CONFIG_FILE, DATA, LANGUAGE, PROFILE, settingFlag, WEAVIATE_URL } from './flags.ts';

export const command = defineCommand({
  name: 'init',
  usage: 'esco-init [init] [options]',
  about: `Makes Weaviate hold the complete ESCO dataset, exactly once however many copies start together:
waits for Weaviate, then skips (already complete for this dataset and schema: ~1 s), ingests
under a lease (read+validate → schema → objects → references → verify → publish; a failed run's
completed passes are resumed), or waits for the process that holds the lease and exits 0 once
the data is complete (taking over if that process dies).`,
  flags: {
    data: DATA,
    language: LANGUAGE,
    profile: PROFILE,
    config: CONFIG_FILE,
    url: WEAVIATE_URL,
    'force-reingest': { type: 'boolean', help: 'ingest even if the data is complete (still under the lease)' },
    yes: {
      type: 'boolean',
      short: 'y',
      help: `do not ask before re-ingesting complete data (never asked off a terminal, nor with CI,
        DOCKER_ENV or NON_INTERACTIVE set)`,
    },
    'wait-timeout': settingFlag('lock.waitTimeoutSeconds'),
    'lock-ttl': settingFlag('lock.ttlSeconds'),
    heartbeat: settingFlag('lock.heartbeatSeconds'),
    'startup-timeout': settingFlag('weaviate.startupTimeoutSeconds'),
    'dry-run': { type: 'boolean', help: 'print what init would do (skip / ingest / wait) and why; write nothing' },
    'log-level': settingFlag('log.level'),
    'log-format': settingFlag('log.format'),
  },
  async run({ flags, config, io, logger }) {
    const tty = io.stderr.isTTY === true && config.log.format !== 'json';
    const progress = tty ? new TtyProgress(io.stderr) : undefined;
    // On a terminal the log lines go through the progress line, which redraws itself below them.
    const log = await logger(progress?.stream);
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
});

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
