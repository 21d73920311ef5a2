/**
 * The in-process benchmark scenarios (the ceiling and the original's write path), each run in a
 * child process by bench/ingest.ts against a server it started. Timings cover only the work the
 * scenario names; setup (plans, schema) is untimed. The engine scenarios run the bin: engine.ts.
 * The ceiling writes the named collections (`Skill`, …) where `init` writes a generation's
 * (`Skill_g1`, …): the same schema, the same requests.
 */

import { type DataObject, ReferenceManager } from 'weaviate-client';
import { forEachChunk } from '../src/chunks.ts';
import type { Config } from '../src/config/config.ts';
import { openDataset } from '../src/esco/open.ts';
import { buildPlan, type CollectionPlan, type Plan } from '../src/ingest/plan.ts';
import { placeholderOf, wholeOf } from '../src/ingest/write.ts';
import { silentLogger } from '../src/log.ts';
import { type InsertResult, postBatch, requestSize, type WriteObject } from '../src/weaviate/batch-writer.ts';
import { connect, type WeaviateClient } from '../src/weaviate/client.ts';
import { type RestEndpoint, restEndpoint } from '../src/weaviate/rest.ts';
import { ensureSchema, loadSchemas } from '../src/weaviate/schema.ts';
import { addRelation, relationsOf, upsertObject } from './lookup-then-write.ts';
import type { BenchOptions } from './options.ts';

/** The scenarios bench/engine.ts runs through the built bin (`init` as the container runs it). */
export type EngineScenario = 'cold' | 'cold-vectors' | 'restart' | 'restart-vectors' | 'upgrade' | 'upgrade-vectors';

export type ScenarioName =
  | 'vectorize-ceiling'
  | 'ceiling'
  | 'ceiling-insertmany'
  | EngineScenario
  | 'lookup-then-write';

export interface ScenarioResult {
  scenario: ScenarioName;
  ms: number;
  /** Objects in the dataset (the throughput basis of every scenario). */
  objects: number;
  /** Object writes (a new object is written twice: bare, then with its references). */
  writes: number;
  deleted: number;
  peakRssMb?: number;
  /** `du` of Weaviate's data dir after the scenario (the engine's scenarios). */
  dataDirMb?: number;
  /** POST /vectors requests the inference service answered during the scenario. */
  calls?: number;
  /** Objects that carry a vector (the calls' basis). */
  vectorized?: number;
  /** The calls the scenario should cost: the concepts whose text it changed. */
  expectedCalls?: number;
  note: string;
  detail?: unknown;
}

const log = silentLogger();
const definitions = loadSchemas({ vectorizer: 'none' });

export type InProcessScenario = Exclude<ScenarioName, EngineScenario | 'vectorize-ceiling'>;

export async function runScenario(name: InProcessScenario, options: BenchOptions, settings: Config['weaviate']) {
  const client = await connect(settings, log);
  try {
    const rest = restEndpoint(settings);
    if (name === 'lookup-then-write') return await lookupThenWrite(client, options, rest);
    return await ceiling(name, client, options, rest);
  } finally {
    await client.close();
  }
}

function objectCount(plan: Plan): number {
  return plan.collections.reduce((n, c) => n + c.objects.length, 0);
}

async function readPlan(options: BenchOptions): Promise<Plan> {
  const dataset = await openDataset(options.data, { language: 'en', policy: 'strict', maxRejected: 0 });
  return buildPlan(dataset, { definitions });
}

type Send = (collection: CollectionPlan, chunk: readonly WriteObject[]) => Promise<InsertResult>;

/**
 * The physical limit: the engine's writes of the prepared objects, sent raw (placeholders, then
 * the whole objects with their references), in the engine's chunks (batch size, concurrency, request size cap), through the batch request the
 * engine uses (REST `/v1/batch/objects`: `ceiling`) or through weaviate-client's gRPC
 * `insertMany`, the path the engine left because it is slower (`ceiling-insertmany`).
 */
async function ceiling(
  name: 'ceiling' | 'ceiling-insertmany',
  client: WeaviateClient,
  options: BenchOptions,
  rest: RestEndpoint,
): Promise<ScenarioResult> {
  const send: Send =
    name === 'ceiling'
      ? (c, chunk) => postBatch(rest, { collection: c.name, referenceTargets: c.referenceTargets }, chunk)
      : (c, chunk) => client.collections.use(c.name).data.insertMany(chunk.map(toInsertMany));
  const plan = await readPlan(options);
  await ensureSchema(client, definitions, log);
  const started = performance.now();
  for (const withRefs of [false, true]) {
    for (const c of plan.collections) {
      const objects = c.objects.map(withRefs ? wholeOf : placeholderOf);
      await forEachChunk(objects, { ...options, weigh: requestSize, checkpoint: async () => {} }, async (chunk) => {
        const res = await send(c, chunk);
        if (res.hasErrors) throw new Error(`${name}: ${Object.values(res.errors)[0]?.message}`);
      });
    }
  }
  const ms = performance.now() - started;
  const objects = objectCount(plan);
  const via = name === 'ceiling' ? 'REST batch' : 'gRPC insertMany';
  return { scenario: name, ms, objects, writes: 2 * objects, deleted: 0, note: `prepared objects via ${via}` };
}

/**
 * weaviate-client 3.14's insertMany keeps only the last id of a `string[]` reference list and
 * sends `Reference.to()` as beacons the gRPC API refuses: a whole list as one entry of plain ids.
 */
class UuidList extends ReferenceManager<undefined> {
  constructor(uuids: string[]) {
    super('', undefined, uuids);
  }

  override toBeaconStrings(): string[] {
    return this.uuids ?? [];
  }
}

function toInsertMany(o: WriteObject): DataObject<undefined> {
  const references = Object.fromEntries(Object.entries(o.references ?? {}).map(([k, ids]) => [k, new UuidList(ids)]));
  return { id: o.id, properties: { ...JSON.parse(o.json), ...o.properties }, references };
}

/** Every k-th item, k = 1/fraction. */
function spread<T>(items: readonly T[], fraction: number): T[] {
  const step = Math.max(1, Math.round(1 / fraction));
  return items.filter((_, i) => i % step === 0);
}

/** The original tool's write path on a spread sample, extrapolated linearly to the whole dataset. */
async function lookupThenWrite(
  client: WeaviateClient,
  options: BenchOptions,
  rest: RestEndpoint,
): Promise<ScenarioResult> {
  const plan = await readPlan(options);
  await ensureSchema(client, definitions, log);
  const sampled = new Set<string>();
  let objectMs = 0;
  let requests = 0;
  for (const c of plan.collections) {
    const sample = spread(c.objects, options.ltwObjects);
    const t = performance.now();
    for (const o of sample) requests += await upsertObject(client, c.name, o);
    objectMs += performance.now() - t;
    for (const o of sample) sampled.add(o.id);
  }
  // Untimed: the rest of the objects, so that relation lookups search full collections.
  for (const c of plan.collections) {
    const others = c.objects.filter((o) => !sampled.has(o.id));
    const target = { collection: c.name, referenceTargets: c.referenceTargets };
    await forEachChunk(others, { ...options, checkpoint: async () => {} }, async (chunk) => {
      const res = await postBatch(
        rest,
        target,
        chunk.map((o) => ({ id: o.id, label: o.uri, json: o.json })),
      );
      if (res.hasErrors) throw new Error(`lookup-then-write setup: ${Object.values(res.errors)[0]?.message}`);
    });
  }
  const relations = relationsOf(plan);
  const relationSample = spread(relations, options.ltwRelations);
  const t = performance.now();
  for (const r of relationSample) requests += await addRelation(client, r);
  const relationMs = performance.now() - t;
  const objects = objectCount(plan);
  const ms = objectMs * (objects / sampled.size) + relationMs * (relations.length / relationSample.length);
  return {
    scenario: 'lookup-then-write',
    ms,
    objects,
    writes: objects,
    deleted: 0,
    note: `EXTRAPOLATED from ${sampled.size} objects + ${relationSample.length} of ${relations.length} relation rows (${requests} requests, ${((objectMs + relationMs) / 1000).toFixed(0)} s measured)`,
  };
}
