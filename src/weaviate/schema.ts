/**
 * Collection definitions (from resources/schemas/*.yaml) and `ensureSchema`, which makes Weaviate
 * match them without ever dropping data: it creates what is missing, adds new properties, accepts
 * what another process created concurrently, and refuses an incompatible existing definition.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { WeaviateClass, WeaviateClient } from 'weaviate-client';
import { PROJECT_ROOT, type VECTORIZERS } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { failureKind, statusOf } from './failure.ts';
import { type PropertyFile, type ReferenceFile, readSchemaFiles, type SchemaFile } from './schema-file.ts';

export const SCHEMA_DIR = path.join(PROJECT_ROOT, 'resources/schemas');
export const VECTOR_NAME = 'default';

export type Vectorizer = (typeof VECTORIZERS)[number];

export interface CollectionDefinition {
  name: string;
  description: string;
  properties: PropertyFile[];
  references: ReferenceFile[];
  /** `none` when the run uses no vectorizer or no property of the collection is vectorized. */
  vectorizer: Vectorizer;
  vectorizedProperties: string[];
}

export interface SchemaDefinitions {
  collections: CollectionDefinition[];
  vectorizer: Vectorizer;
  /** Short hash of the definitions as applied (vectorizer included): goes into the status record. */
  version: string;
}

/** Hash of the schema files alone (independent of the run's vectorizer). */
export const SCHEMA_VERSION: string = hashOf(readSchemaFiles(SCHEMA_DIR));

export function loadSchemas(options: { vectorizer: Vectorizer; dir?: string }): SchemaDefinitions {
  const files = readSchemaFiles(options.dir ?? SCHEMA_DIR);
  const collections = files.map((file) => toDefinition(file, options.vectorizer));
  return { collections, vectorizer: options.vectorizer, version: hashOf({ files, vectorizer: options.vectorizer }) };
}

function toDefinition(file: SchemaFile, runVectorizer: Vectorizer): CollectionDefinition {
  const vectorizedProperties = file.properties.filter((p) => p.vectorize).map((p) => p.name);
  const vectorizer = runVectorizer !== 'none' && vectorizedProperties.length > 0 ? runVectorizer : 'none';
  return {
    name: file.name,
    description: file.description,
    properties: file.properties,
    references: file.references,
    vectorizer,
    vectorizedProperties: vectorizer === 'none' ? [] : vectorizedProperties,
  };
}

export function findCollection(definitions: SchemaDefinitions, name: string): CollectionDefinition {
  const found = definitions.collections.find((c) => c.name === name);
  if (!found) throw new EscoInitError('INTERNAL', `no schema definition for collection ${name}`);
  return found;
}

/**
 * The definitions with some collections renamed (a generation's `Skill_g7` for `Skill`), reference
 * targets included; the version stays that of the files.
 */
export function renameCollections(definitions: SchemaDefinitions, rename: (name: string) => string): SchemaDefinitions {
  const collections = definitions.collections.map((c) => ({
    ...c,
    name: rename(c.name),
    references: c.references.map((r) => ({ ...r, target: rename(r.target) })),
  }));
  return { ...definitions, collections };
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

// ---- Weaviate's wire format -------------------------------------------------------------------

type WireProperty = NonNullable<WeaviateClass['properties']>[number];

export function toWireProperty(p: PropertyFile): WireProperty {
  const isText = p.dataType.startsWith('text');
  return {
    name: p.name,
    dataType: [p.dataType],
    description: p.description,
    indexFilterable: p.indexFilterable,
    ...(isText ? { tokenization: p.tokenization ?? 'word', indexSearchable: p.indexSearchable ?? true } : {}),
    ...(p.indexRangeFilters ? { indexRangeFilters: true } : {}),
  };
}

export function toWireReference(r: ReferenceFile): WireProperty {
  // Our writer replaces whole reference lists, so duplicates never arise from it; the server-side
  // guard keeps an additive writer (a person with the REST API) from creating them either.
  return { name: r.name, dataType: [r.target], description: r.description, disableDuplicatedReferences: true };
}

/** The class as first created: primitive properties only (reference targets may not exist yet). */
export function toWireClass(def: CollectionDefinition): WeaviateClass {
  const vectorizer =
    def.vectorizer === 'none'
      ? { none: {} }
      : { [def.vectorizer]: { properties: def.vectorizedProperties, vectorizeClassName: false } };
  return {
    class: def.name,
    description: def.description,
    properties: def.properties.map(toWireProperty),
    vectorConfig: { [VECTOR_NAME]: { vectorizer, vectorIndexType: 'hnsw' } },
  };
}

// ---- ensureSchema -----------------------------------------------------------------------------

export interface EnsureSchemaReport {
  created: string[];
  addedProperties: string[];
  unchanged: string[];
}

/**
 * Idempotent and safe to run from several processes at once: all missing collections are created
 * first without references (targets must exist before a reference property can name them), then
 * every collection is compared with its definition and missing properties/references are added.
 */
export async function ensureSchema(
  client: WeaviateClient,
  definitions: SchemaDefinitions,
  log: Logger,
  options: { onCollections?: () => void } = {},
): Promise<EnsureSchemaReport> {
  const report: EnsureSchemaReport = { created: [], addedProperties: [], unchanged: [] };
  // Collections at once: Raft applies schema changes one after the other, but the round trips
  // overlap (six new collections and their references took ~2 s one at a time).
  const defs = definitions.collections;
  const created = await inTurn(
    defs.map(async (def) => !(await readClass(client, def.name)) && (await createClass(client, def))),
  );
  report.created.push(...defs.filter((_, i) => created[i]).map((d) => d.name));
  // Every collection exists: objects without references (placeholders) can be written from now on.
  options.onCollections?.();
  const added = await inTurn(defs.map((def) => completeCollection(client, def)));
  defs.forEach((def, i) => {
    const names = added[i] ?? [];
    report.addedProperties.push(...names.map((p) => `${def.name}.${p}`));
    if (names.length === 0 && !report.created.includes(def.name)) report.unchanged.push(def.name);
  });
  log.info(report, 'schema ensured');
  return report;
}

/** Awaits all; fails with the first failure in the definitions' order, not the first to happen. */
async function inTurn<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Compares an existing collection with its definition and adds what it lacks; returns what was added. */
async function completeCollection(client: WeaviateClient, def: CollectionDefinition): Promise<string[]> {
  const found = await readClass(client, def.name);
  if (!found)
    throw new EscoInitError(
      'SCHEMA_CONFLICT',
      `collection ${def.name} vanished while the schema was being set up (deleted by someone else?); run again.`,
    );
  checkCollection(def, found);
  return addMissing(client, def, found);
}

async function readClass(client: WeaviateClient, name: string): Promise<WeaviateClass | null> {
  if (!(await client.collections.exists(name))) return null;
  try {
    return await client.collections.exportToJson(name);
  } catch (error) {
    if (failureKind(error) === 'not-found') return null;
    throw error;
  }
}

/** True when this call created it; false when someone else did at the same moment (422). */
async function createClass(client: WeaviateClient, def: CollectionDefinition): Promise<boolean> {
  try {
    await client.collections.createFromJson(toWireClass(def));
    return true;
  } catch (error) {
    if (failureKind(error) === 'already-exists') return false;
    throw schemaWriteFailed(`create collection ${def.name}`, error);
  }
}

async function addMissing(client: WeaviateClient, def: CollectionDefinition, found: WeaviateClass): Promise<string[]> {
  const existing = new Set((found.properties ?? []).map((p) => p.name));
  const config = client.collections.use(def.name).config;
  const added: string[] = [];
  for (const p of def.properties.filter((p) => !existing.has(p.name))) {
    const wire = toWireProperty(p);
    await addProperty(def, p.name, () => config.addProperty({ ...wire, dataType: p.dataType } as never));
    added.push(p.name);
  }
  for (const r of def.references.filter((r) => !existing.has(r.name))) {
    const { dataType: _d, ...wire } = toWireReference(r);
    await addProperty(def, r.name, () => config.addReference({ ...wire, targetCollection: r.target } as never));
    added.push(r.name);
  }
  if (added.length > 0) {
    const after = await readClass(client, def.name);
    if (after) checkCollection(def, after);
  }
  return added;
}

async function addProperty(def: CollectionDefinition, name: string, add: () => Promise<void>): Promise<void> {
  try {
    await add();
  } catch (error) {
    // Another process added it concurrently; the check after adding verifies its definition.
    if (failureKind(error) === 'already-exists') return;
    throw schemaWriteFailed(`add property ${def.name}.${name}`, error);
  }
}

/** Throws SCHEMA_CONFLICT on the first difference that would make our data wrong. */
export function checkCollection(def: CollectionDefinition, found: WeaviateClass): void {
  const byName = new Map((found.properties ?? []).map((p) => [p.name, p]));
  for (const p of def.properties) {
    const actual = byName.get(p.name);
    if (actual) compareProperty(def.name, toWireProperty(p), actual);
  }
  for (const r of def.references) {
    const actual = byName.get(r.name);
    if (actual) compareField(def.name, r.name, 'dataType', [r.target], actual.dataType);
  }
  const { module, properties } = vectorizerOf(found);
  compareField(def.name, '(vectorizer)', 'vectorizer', def.vectorizer, module);
  if (def.vectorizer !== 'none') {
    compareField(def.name, '(vectorizer)', 'vectorized properties', [...def.vectorizedProperties].sort(), properties);
  }
}

function compareProperty(collection: string, expected: WireProperty, actual: WireProperty): void {
  const name = expected.name ?? '?';
  compareField(collection, name, 'dataType', expected.dataType, actual.dataType);
  if (expected.tokenization !== undefined) {
    compareField(collection, name, 'tokenization', expected.tokenization, actual.tokenization);
  }
  compareField(collection, name, 'indexFilterable', expected.indexFilterable, actual.indexFilterable ?? true);
  if (expected.indexSearchable !== undefined) {
    compareField(collection, name, 'indexSearchable', expected.indexSearchable, actual.indexSearchable ?? true);
  }
  if (expected.indexRangeFilters) {
    compareField(collection, name, 'indexRangeFilters', true, actual.indexRangeFilters ?? false);
  }
}

function compareField(collection: string, property: string, field: string, expected: unknown, found: unknown): void {
  if (JSON.stringify(expected) === JSON.stringify(found)) return;
  throw new EscoInitError(
    'SCHEMA_CONFLICT',
    `collection ${collection}, property ${property}: ${field} is ${JSON.stringify(found)} in Weaviate but the schema ` +
      `expects ${JSON.stringify(expected)}. esco-init never drops data: delete the collection yourself (or use another ` +
      'Weaviate) and run again, or align resources/schemas with it.',
    { details: { collection, property, field, expected, found } },
  );
}

/** Reads the vectorizer of the named vector, or of a legacy class-level vectorizer. */
export function vectorizerOf(found: WeaviateClass): { module: string; properties: string[] } {
  const named = found.vectorConfig?.[VECTOR_NAME]?.vectorizer as Record<string, unknown> | undefined;
  if (named) {
    const [module = 'none', settings] = Object.entries(named)[0] ?? [];
    const props = (settings as { properties?: string[] } | undefined)?.properties ?? [];
    return { module, properties: [...props].sort() };
  }
  if (found.vectorConfig && Object.keys(found.vectorConfig).length > 0) {
    return {
      module: `named vectors ${Object.keys(found.vectorConfig).join(', ')} (no "${VECTOR_NAME}")`,
      properties: [],
    };
  }
  return { module: found.vectorizer ?? 'none', properties: [] };
}

/** A 4xx is Weaviate refusing our definition (e.g. a vectorizer module it does not run). */
function schemaWriteFailed(what: string, error: unknown): unknown {
  const status = statusOf(error);
  if (status === undefined || status >= 500) return error;
  return new EscoInitError(
    'SCHEMA_INVALID',
    `Weaviate refused to ${what} (HTTP ${status}): ${(error as Error).message}. Check ingest.vectorizer against the modules this Weaviate runs, and resources/schemas.`,
    { cause: error },
  );
}
