/**
 * `esco-init rollback [--to <generation>]`: publishes the previous complete generation again
 * (src/orchestration/rollback.ts), wired to Weaviate; prints what it did.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EscoInitError } from '../errors.ts';
import { INGESTED_COLLECTIONS } from '../ingest/mapping.ts';
import { Lock, lockOptions, type Owner } from '../lease/lock.ts';
import { type RollbackOutcome, rollback } from '../orchestration/rollback.ts';
import { DEFAULT_DATASET_KEY, type GenerationRecord } from '../status/status-store.ts';
import { VERSION } from '../version.ts';
import { WeaviateGenerationStore } from '../weaviate/generation-store.ts';
import { WeaviateLeaseStore } from '../weaviate/metadata-lease-store.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { defineCommand } from './command.ts';
import { ROLLBACK_FLAGS } from './flags.ts';

export const command = defineCommand({
  name: 'rollback',
  usage: 'esco-init rollback [--to <generation>] [--json] [options]',
  about: `Publishes the previous complete generation of the ESCO collections again: under the ingestion
lease, the status record first (what the search service reads), then the aliases Skill, Occupation, ….
Nothing is dropped, so a second rollback rolls forward; the next init does not publish the
rolled-back dataset again (unless --force-reingest). 'esco-init status' lists the generations kept
(generations.keep).`,
  flags: ROLLBACK_FLAGS,
  exitCodes: `Exit codes: 0 rolled back, 1 failed (the lease was lost, a write failed), 2 nothing to roll back
to (or --to names no complete generation), 3 Weaviate unreachable, 4 another process holds the lease.`,
  logLevel: 'warn',
  async run({ flags, config, io, withClient }) {
    const to = flags.to === undefined ? undefined : Number(flags.to);
    if (to !== undefined && to < 1)
      throw new EscoInitError('USAGE', 'rollback: --to takes a generation id (1 or more)');
    const outcome = await withClient((client, log) => {
      const owner = newOwner();
      const leases = new WeaviateLeaseStore(client);
      const lock = new Lock(leases, lockOptions(config.lock, { owner, log }));
      return rollback({
        datasetKey: DEFAULT_DATASET_KEY,
        toolVersion: VERSION,
        owner,
        lock,
        statusStore: new WeaviateStatusStore(client),
        generations: new WeaviateGenerationStore(client, INGESTED_COLLECTIONS),
        log,
        to,
      });
    });
    io.stdout.write(flags.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderOutcome(outcome));
    return 0;
  },
});

/** Like init's run ids (src/init/assembly.ts), without loading init's dependencies. */
function newOwner(): Owner {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return { runId: `${stamp}-${randomBytes(3).toString('hex')}`, host: hostname(), pid: process.pid };
}

function renderOutcome(o: RollbackOutcome): string {
  const verb = o.finished ? 'finished the rollback to' : 'rolled back to';
  const lines = [`${verb} generation ${o.to.id} (run ${o.runId}, lease epoch ${o.epoch})`];
  if (o.from) lines.push(`  from  ${describe(o.from)}`);
  lines.push(`  to    ${describe(o.to)}`);
  return `${lines.join('\n')}\n`;
}

function describe(g: GenerationRecord): string {
  const counts = g.counts ? `, ${g.counts.objects ?? '?'} objects, ${g.counts.references ?? '?'} references` : '';
  return `generation ${g.id}: dataset ${g.fingerprint.slice(0, 12)}, schema ${g.schemaVersion}${counts}, completed ${g.completedAt ?? '-'}`;
}
