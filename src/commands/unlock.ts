/**
 * `esco-init unlock [--if-stale]`: frees the ingestion lease for the next start. It does not
 * delete anything: it creates the next epoch, already released, so the current holder (if it is
 * still alive) is fenced out at its next batch and the next `init` takes over at once.
 */
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.ts';
import { type Config, type ConfigOverrides, loadConfig } from '../config/config.ts';
import { createLogger, type Logger } from '../log.ts';
import { Lock, type Observation } from '../state/lock.ts';
import { type WeaviateClient, withClient } from '../weaviate/client.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import type { Command, CommandIO } from './command.ts';
import { parseFlags } from './flags.ts';

const HELP = `Usage: esco-init unlock [--if-stale] [options]

Frees the ingestion lease: the holder, if still running, stops at its next batch (it is fenced by
a new epoch) and the next 'esco-init init' ingests without waiting for the TTL. Data and status
are left alone; the next init resumes what the interrupted run completed.

Options:
  --if-stale         only if the holder's heartbeat does not move while this command watches it
                     for the TTL (lock.ttlSeconds); a live holder is left alone (exit 1)
  --url <url>        Weaviate HTTP URL (env WEAVIATE_URL)
  --lock-ttl <s>     the TTL to watch with --if-stale
  --profile <name>   configuration profile
  --config <file>    configuration file

Exit codes: 0 unlocked or nothing to unlock, 1 --if-stale found a live holder, 3 Weaviate
unreachable.`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const flags = parse(argv);
    const config = loadConfig(overrides(flags), io.env);
    const log = createLogger(config.log, io.stderr);
    return withClient(config.weaviate, log, io.signal, (client) =>
      unlock(client, config, { ifStale: flags['if-stale'] === true, log, io }),
    );
  },
};

function parse(argv: string[]) {
  return parseFlags('unlock', argv, {
    'if-stale': { type: 'boolean' },
    url: { type: 'string' },
    'lock-ttl': { type: 'string' },
    profile: { type: 'string' },
    config: { type: 'string' },
  });
}

function overrides(v: ReturnType<typeof parse>): ConfigOverrides {
  return { profile: v.profile, configFile: v.config, weaviate: { url: v.url }, lock: { ttlSeconds: v['lock-ttl'] } };
}

interface UnlockOptions {
  ifStale: boolean;
  log: Logger;
  io: CommandIO;
  clock?: Clock;
}

export async function unlock(client: WeaviateClient, config: Config, options: UnlockOptions): Promise<number> {
  const { io, log } = options;
  const clock = options.clock ?? systemClock;
  const ttlMs = config.lock.ttlSeconds * 1000;
  const heartbeatMs = Math.min(config.lock.heartbeatSeconds * 1000, ttlMs / 2);
  const owner = { runId: `unlock-${Date.now().toString(36)}`, host: hostname(), pid: process.pid };
  const lock = new Lock(new WeaviateLeaseStore(client), { ttlMs, heartbeatMs, owner, log, clock });
  let observed = await lock.observe();
  if (observed.condition === 'none' || observed.condition === 'released') {
    io.stdout.write(
      `nothing to unlock: ${observed.condition === 'none' ? 'the lease was never taken' : `epoch ${observed.epoch} is already released`}\n`,
    );
    return 0;
  }
  if (options.ifStale) {
    io.stdout.write(`watching epoch ${observed.epoch} for ${ttlMs / 1000} s (${holderOf(observed)})…\n`);
    while (observed.condition === 'live') {
      await clock.sleep(heartbeatMs, io.signal);
      const next = await lock.observe();
      if (next.condition === 'released' || next.condition === 'none') {
        io.stdout.write(`nothing to unlock: epoch ${next.epoch} was released meanwhile\n`);
        return 0;
      }
      if (next.epoch !== observed.epoch || next.unchangedMs === 0) {
        io.stderr.write(`esco-init: the lease is live (${holderOf(next)} is beating): not unlocked\n`);
        return 1;
      }
      observed = next;
    }
  }
  const broken = await lock.breakLease('unlocked');
  if (!broken) {
    io.stdout.write('nothing to unlock: the lease was released meanwhile\n');
    return 0;
  }
  io.stdout.write(
    `unlocked: epoch ${broken.from} (${holderOf(observed)}) is fenced; epoch ${broken.to} is released, the next init takes over at once\n`,
  );
  return 0;
}

function holderOf(o: Observation): string {
  const h = o.heartbeat;
  return h ? `run ${h.runId} on ${h.host}, pid ${h.pid}` : 'a holder that never beat';
}
