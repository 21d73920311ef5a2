/**
 * `init --dry-run`: what init would do now (skip, ingest or wait) and why, without writing
 * anything: no run record, no lease, no schema change.
 */
import type { Config } from '../config/config.ts';
import type { Heartbeat } from '../lease/lease-store.ts';
import type { Observation } from '../lease/lock.ts';
import type { DatasetStatus } from '../status/status-store.ts';
import { decide } from './decision.ts';
import type { OrchestratorDeps } from './session.ts';

export type DryRunAction = 'skip' | 'ingest' | 'wait';

export interface DryRunPlan {
  action: DryRunAction;
  why: string;
  resume: string[];
  status: DatasetStatus | null;
  lease: Observation;
}

/** What a dry run needs: where to look, and what this process would ingest. */
export type DryRunDeps = Pick<
  OrchestratorDeps,
  'lock' | 'statusStore' | 'generations' | 'datasetKey' | 'fingerprint' | 'schemaVersion' | 'force'
>;

export async function planInit(d: DryRunDeps): Promise<DryRunPlan> {
  const lease = await d.lock.observe();
  const status = await d.statusStore.readStatus(d.datasetKey);
  const decision = decide({
    status,
    fingerprint: d.fingerprint,
    schemaVersion: d.schemaVersion,
    force: d.force,
    startEpoch: lease.epoch,
    published: await d.generations.published(),
  });
  if (decision.action === 'skip') return { action: 'skip', why: decision.reason, resume: [], status, lease };
  const resume = decision.resume;
  if (lease.condition === 'live') {
    const why = `${decision.reason}, but ${holder(lease.heartbeat)} holds the lease (epoch ${lease.epoch}): this process would wait for it to complete, and take over if its heartbeat stopped for the TTL`;
    return { action: 'wait', why, resume, status, lease };
  }
  return { action: 'ingest', why: decision.reason, resume, status, lease };
}

export async function renderPlan(d: DryRunDeps, config: Config): Promise<string> {
  const plan = await planInit(d);
  const s = plan.status;
  const lines = [
    'esco-init init --dry-run: nothing is written',
    `  Weaviate     ${config.weaviate.url}`,
    `  dataset      ${config.data.paths.join(', ')} (language ${config.data.language})`,
    `  fingerprint  ${d.fingerprint}`,
    `  schema       ${d.schemaVersion}`,
    `  status       ${s ? describeStatus(s) : 'not_started (no status record)'}`,
    `  lease        ${describeLease(plan.lease)}`,
    `  plan         ${plan.action}: ${plan.why}`,
  ];
  if (plan.action !== 'skip') {
    lines.push(
      `  resume       ${plan.resume.length > 0 ? `${plan.resume.join(', ')} (completed by a previous run)` : 'nothing: every pass runs'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function describeStatus(s: DatasetStatus): string {
  const parts = [
    s.state,
    `fingerprint ${s.fingerprint?.slice(0, 12) ?? 'none'}`,
    `schema ${s.schemaVersion ?? 'none'}`,
  ];
  if (s.runId) parts.push(`run ${s.runId}`);
  if (s.error) parts.push(`error ${s.error.code}`);
  return parts.join(', ');
}

export function describeLease(o: Observation): string {
  if (o.condition === 'none') return 'never taken';
  if (o.heartbeat?.state === 'released')
    return `epoch ${o.epoch}, released (${o.heartbeat.releasedReason}) by ${holder(o.heartbeat)}`;
  if (!o.heartbeat) return `epoch ${o.epoch}, taken but no heartbeat yet`;
  return `epoch ${o.epoch}, held by ${holder(o.heartbeat)}, heartbeat #${o.heartbeat.counter} at ${o.heartbeat.beatAt} (its clock)`;
}

function holder(h: Heartbeat | null): string {
  return h ? `run ${h.runId} on ${h.host} (pid ${h.pid})` : 'a process that has not beaten yet';
}
