/**
 * `esco-init unlock [--if-stale]`: frees the ingestion lease for the next start
 * (src/lease/unlock.ts); deletes nothing.
 */
import { unlockLease } from '../lease/unlock.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { defineCommand } from './command.ts';
import { CONFIG_FILE, PROFILE, settingFlag, WEAVIATE_URL } from './flags.ts';

export const command = defineCommand({
  name: 'unlock',
  usage: 'esco-init unlock [--if-stale] [options]',
  about: `Frees the ingestion lease: the holder, if still running, stops at its next batch (it is fenced by
a new epoch) and the next 'esco-init init' ingests without waiting for the TTL. Data and status
are left alone; the next init resumes what the interrupted run completed.`,
  flags: {
    'if-stale': {
      type: 'boolean',
      help: `only if the holder's heartbeat does not move while this command watches it for the TTL
        (lock.ttlSeconds); a live holder is left alone (exit 1)`,
    },
    url: WEAVIATE_URL,
    'lock-ttl': settingFlag('lock.ttlSeconds', 'the TTL to watch with --if-stale'),
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  exitCodes: `Exit codes: 0 unlocked or nothing to unlock, 1 --if-stale found a live holder, 3 Weaviate
unreachable.`,
  async run({ flags, config, io, withClient }) {
    const outcome = await withClient((client, log) =>
      unlockLease({
        leases: new WeaviateLeaseStore(client),
        lock: config.lock,
        ifStale: flags['if-stale'] === true,
        log,
        signal: io.signal,
        onWatch: (message) => io.stdout.write(`${message}\n`),
      }),
    );
    if (outcome.result === 'live') {
      io.stderr.write(`esco-init: ${outcome.message}\n`);
      return 1;
    }
    io.stdout.write(`${outcome.message}\n`);
    return 0;
  },
});
