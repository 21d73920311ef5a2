/**
 * What `esco-init validate` checks: that what Weaviate holds is the complete dataset,
 * independently of the run that wrote it. The status says completed for this very dataset and
 * schema, the counts the dataset implies equal both the stored and the recorded ones, every object
 * and reference list matches (the engine's verify, read-only), dangling relation rows are exactly
 * those reported, and sample queries answer. ValidateReportSchema is the `validate --json` output.
 */
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import { openDataset } from '../esco/open.ts';
import type { Logger } from '../log.ts';
import { type DatasetStatus, DEFAULT_DATASET_KEY } from '../status/status-store.ts';
import type { WeaviateClient } from '../weaviate/client.ts';
import { WeaviateStatusStore } from '../weaviate/metadata-status-store.ts';
import { restEndpoint } from '../weaviate/rest.ts';
import { WeaviateVectorizer } from '../weaviate/run-vectorizer.ts';
import { loadSchemas } from '../weaviate/schema.ts';
import { type IngestContext, simpleContext } from './context.ts';
import { buildPlan, type Plan, type PlannedObject, propertiesOf } from './plan.ts';
import { verify } from './verify.ts';

export const ValidateReportSchema = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type ValidateReport = z.infer<typeof ValidateReportSchema>;
export type Check = ValidateReport['checks'][number];

/** Reads the dataset at config.data.paths and checks Weaviate against it; reads only. */
export async function validateIngestion(
  client: WeaviateClient,
  config: Config,
  log: Logger,
  signal: AbortSignal,
): Promise<ValidateReport> {
  const status = await new WeaviateStatusStore(client).readStatus(DEFAULT_DATASET_KEY);
  const definitions = loadSchemas({ vectorizer: config.ingest.vectorizer });
  const dataset = await openDataset(config.data.paths, {
    language: config.data.language,
    policy: config.data.rowPolicy,
    maxRejected: config.data.maxRejectedRows,
  });
  const plan = await buildPlan(dataset, { definitions });
  const rest = restEndpoint(config.weaviate);
  const timeoutSeconds = config.weaviate.startupTimeoutSeconds;
  const vectors = WeaviateVectorizer.of({ rest, url: config.weaviate.url, timeoutSeconds, log, signal }, definitions);
  await vectors?.check(); // the model's dimension, for the vectors verify reads back
  const stored: Record<string, number> = {};
  for (const c of plan.collections) stored[c.name] = await client.collections.use(c.name).length();
  const checks: Check[] = [
    ...recordChecks({ plan, status, schemaVersion: definitions.version, stored }),
    await verifyCheck(simpleContext(client, log, { signal, rest, vectors }), plan),
    ...(await queryChecks(client, plan)),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

export interface RecordedState {
  plan: Plan;
  status: DatasetStatus | null;
  /** The schema version the definitions would create now. */
  schemaVersion: string;
  /** Objects per collection in Weaviate. */
  stored: Record<string, number>;
}

/** The status record and the stored counts against what the dataset implies. */
export function recordChecks({ plan, status, schemaVersion, stored }: RecordedState): Check[] {
  return [
    check(
      'status',
      status?.state === 'completed',
      `state ${status?.state ?? 'not_started'}${status?.runId ? ` (run ${status.runId})` : ''}`,
    ),
    check(
      'fingerprint',
      status?.fingerprint === plan.dataset.fingerprint,
      `dataset ${short(plan.dataset.fingerprint)}, ingested ${short(status?.fingerprint)}`,
    ),
    check(
      'schema',
      status?.schemaVersion === schemaVersion,
      `expected ${schemaVersion}, ingested ${status?.schemaVersion ?? 'none'}`,
    ),
    ...countChecks(plan, status, stored),
    danglingCheck(plan, status),
  ];
}

function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** Objects per collection: from the dataset, in Weaviate and in the status record, all equal. */
function countChecks(plan: Plan, status: DatasetStatus | null, storedCounts: Record<string, number>): Check[] {
  return plan.collections.map((c) => {
    const stored = storedCounts[c.name];
    const recorded = status?.counts?.[c.name];
    const expected = c.objects.length;
    const refsExpected = Object.values(c.referenceTotals).reduce((a, n) => a + n, 0);
    const refsRecorded = status?.counts?.[`${c.name}.references`];
    const ok = stored === expected && recorded === expected && refsRecorded === refsExpected;
    const detail = `dataset ${expected}, stored ${stored}, recorded ${recorded ?? 'none'}; references dataset ${refsExpected}, recorded ${refsRecorded ?? 'none'}`;
    return check(`count ${c.name}`, ok, detail);
  });
}

function danglingCheck(plan: Plan, status: DatasetStatus | null): Check {
  const dangling = plan.dataset.danglingReferences.total;
  const unresolved = Object.values(plan.links).reduce((n, l) => n + l.unresolved, 0);
  const ok = status?.counts?.danglingRelations === dangling && status?.counts?.unresolvedLinks === unresolved;
  const detail = `dataset: ${dangling} dangling relation rows, ${unresolved} unresolvable links; recorded: ${status?.counts?.danglingRelations ?? 'none'}, ${status?.counts?.unresolvedLinks ?? 'none'}`;
  return check('dangling references', ok, detail);
}

/** Every stored object's hash and reference lists against the dataset (reads only). */
async function verifyCheck(ctx: IngestContext, plan: Plan): Promise<Check> {
  try {
    const report = await verify(plan, ctx);
    return check(
      'objects and references',
      true,
      `${report.objects} objects, ${report.references} references match; ${report.sampled} compared property by property`,
    );
  } catch (error) {
    if (!(error instanceof EscoInitError) || error.code !== 'VERIFY_FAILED') throw error;
    return check('objects and references', false, error.message);
  }
}

/** A concept by URI, a keyword search that finds it, and a reference traversal from an occupation. */
async function queryChecks(client: WeaviateClient, plan: Plan): Promise<Check[]> {
  const skill = sampleOf(plan, 'Skill');
  const occupation = plan.collections
    .find((c) => c.name === 'Occupation')
    ?.objects.find((o) => (o.references.essentialSkills?.length ?? 0) > 0);
  if (!skill || !occupation)
    return [check('sample queries', false, 'the dataset has no skill or no occupation with essential skills')];
  const skills = client.collections.use('Skill');
  const byUri = await skills.query.fetchObjects({
    filters: skills.filter.byProperty('conceptUri').equal(skill.uri),
    limit: 2,
  });
  const label = String(propertiesOf(skill).preferredLabel);
  const search = await skills.query.bm25(label, { queryProperties: ['preferredLabel'], limit: 10 });
  const occupations = client.collections.use('Occupation');
  const traversed = await occupations.query.fetchObjectById(occupation.id, {
    returnReferences: [{ linkOn: 'essentialSkills', returnProperties: ['preferredLabel'] }],
  });
  const found = traversed?.references?.essentialSkills?.objects.length ?? 0;
  const expected = occupation.references.essentialSkills?.length ?? 0;
  return [
    check(
      'query by URI',
      byUri.objects.length === 1 && byUri.objects[0]?.uuid === skill.id,
      `${skill.uri}: ${byUri.objects.length} found`,
    ),
    check(
      'keyword search',
      search.objects.some((o) => o.uuid === skill.id),
      `"${label}" in Skill.preferredLabel: ${search.objects.length} hits, the skill ${search.objects.some((o) => o.uuid === skill.id) ? 'among them' : 'missing'}`,
    ),
    check('reference traversal', found === expected, `${occupation.uri} → essentialSkills: ${found} of ${expected}`),
  ];
}

function sampleOf(plan: Plan, collection: string): PlannedObject | undefined {
  const objects = plan.collections.find((c) => c.name === collection)?.objects ?? [];
  return objects[Math.floor(objects.length / 2)];
}

function short(fingerprint: string | null | undefined): string {
  return fingerprint ? fingerprint.slice(0, 12) : 'none';
}

/** The report as text, for a person. */
export function renderValidation(report: ValidateReport): string {
  const lines = report.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  lines.push(
    report.ok
      ? 'valid: Weaviate holds exactly the dataset'
      : `invalid: ${report.checks.filter((c) => !c.ok).length} check(s) failed`,
  );
  return `${lines.join('\n')}\n`;
}
