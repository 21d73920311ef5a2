/**
 * The plan: the whole dataset read once into the objects to store (properties, complete reference
 * lists, content hash) plus what verification must find. ~17k objects and ~300k reference ids for
 * ESCO v1.1.1; ids are shared strings, so the references cost a pointer each.
 */
import { hash } from 'node:crypto';
import { EscoInitError } from '../errors.ts';
import type { DatasetReport, EscoDataset, RecordHandlers, RecordLocation } from '../esco/dataset.ts';
import type { CollectionMemberRecord } from '../esco/records.ts';
import { unsliced } from '../esco/strings.ts';
import { joinJsonObjects } from '../json.ts';
import { findCollection, type SchemaDefinitions } from '../weaviate/schema.ts';
import { throwIfInterrupted } from './context.ts';
import {
  COLLECTIONS,
  type CollectionName,
  collectionUri,
  conceptSchemeProperties,
  INGESTED_COLLECTIONS,
  iscoGroupProperties,
  LINKS,
  type LinkRules,
  objectId,
  occupationProperties,
  type Properties,
  skillGroupProperties,
  skillProperties,
} from './mapping.ts';

export interface PlannedObject {
  id: string;
  /** The concept URI (or the collection key for ConceptCollection): names the object in reports. */
  uri: string;
  /**
   * The properties as JSON object text, which is what a batch request sends. Kept as text: parsed
   * records cost twice the heap (ESCO v1.1.1: 35 MB against 17 MB), and every field of a record is
   * a substring that keeps its whole decoded CSV chunk alive. `propertiesOf` parses it back.
   */
  json: string;
  /** Reference property → target ids, sorted and unique. */
  references: Record<string, string[]>;
  hash: string;
}

export interface CollectionPlan {
  name: CollectionName;
  objects: PlannedObject[];
  /** Reference property → number of references the collection must hold. */
  referenceTotals: Record<string, number>;
  /** Reference property → the collection its targets are in. */
  referenceTargets: Record<string, string>;
}

/** What became of the rows of one relation source. */
export interface LinkStats {
  rows: number;
  duplicates: number;
  /** Rows whose ends exist but are of kinds the relation does not connect (or unknown member URIs). */
  unresolved: number;
  /** rows − duplicates − unresolved: the forward references stored for this source. */
  links: number;
  examples: string[];
}

export type LinkSource =
  | 'occupationSkillRelations'
  | 'broaderRelationsSkillPillar'
  | 'broaderRelationsOccPillar'
  | 'skillSkillRelations'
  | 'collections'
  | 'occupationIscoGroup';

export interface Plan {
  schemaVersion: string;
  collections: CollectionPlan[];
  dataset: DatasetReport;
  links: Record<LinkSource, LinkStats>;
  expected: { objects: Record<string, number>; references: Record<string, Record<string, number>> };
}

interface Node {
  collection: CollectionName;
  id: string;
  uri: string;
  /** The record's properties, serialised as soon as it is read (see PlannedObject.json). */
  json: string;
  /** ESCO collections the concept is a member of, added to `json` by `finish`. */
  collections?: string[];
  /** An ISCO group's code, or the code of an occupation's ISCO group. */
  iscoCode?: string;
  /** Reference property → target ids, duplicates included until `finish` sorts them out. */
  refs: Map<string, string[]>;
}

interface Builder {
  /** Collection → the properties and references its schema file defines. */
  known: Map<CollectionName, ReadonlySet<string>>;
  byUri: Map<string, Node>;
  nodes: Record<CollectionName, Node[]>;
  links: Record<LinkSource, LinkStats>;
  members: { record: CollectionMemberRecord; at: RecordLocation }[];
  /** Forward reference property → the source its rows come from (for duplicate accounting). */
  forwardSource: Map<string, LinkSource>;
  onNode?: PlanOptions['onNode'];
}

export interface PlanOptions {
  definitions: SchemaDefinitions;
  /** When aborted, the read stops at the next record with INTERRUPTED_SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Hears of every concept as soon as its row is read and valid (src/ingest/placeholder-stream.ts). */
  onNode?: (collection: CollectionName, id: string, uri: string) => void;
}

export async function buildPlan(dataset: EscoDataset, options: PlanOptions): Promise<Plan> {
  const b = newBuilder(options.definitions);
  b.onNode = options.onNode;
  const source = options.signal ? interruptible(dataset, options.signal) : dataset;
  const report = await source.scan({
    skills: (r, at) => addNode(b, COLLECTIONS.skill, r.conceptUri, skillProperties(r), at),
    occupations: (r, at) =>
      addNode(b, COLLECTIONS.occupation, r.conceptUri, occupationProperties(r), at, r.iscoGroup ?? undefined),
    iscoGroups: (r, at) => addNode(b, COLLECTIONS.iscoGroup, r.conceptUri, iscoGroupProperties(r), at, r.code),
    skillGroups: (r, at) => addNode(b, COLLECTIONS.skillGroup, r.conceptUri, skillGroupProperties(r), at),
    conceptSchemes: (r, at) =>
      addNode(b, COLLECTIONS.conceptScheme, r.conceptSchemeUri, conceptSchemeProperties(r), at),
    collection: (record, at) => {
      b.members.push({ record, at });
    },
    occupationSkillRelations: (r, at) => {
      const rules = r.relationType === 'essential' ? LINKS.essentialSkill : LINKS.optionalSkill;
      link(b, 'occupationSkillRelations', r.occupationUri, r.skillUri, rules, at);
    },
    broaderRelationsSkillPillar: (r, at) =>
      link(b, 'broaderRelationsSkillPillar', r.conceptUri, r.broaderUri, LINKS.broaderSkillPillar, at),
    broaderRelationsOccPillar: (r, at) =>
      link(b, 'broaderRelationsOccPillar', r.conceptUri, r.broaderUri, LINKS.broaderOccPillar, at),
    skillSkillRelations: (r, at) => {
      const rules = r.relationType === 'essential' ? LINKS.essentialRelatedSkill : LINKS.optionalRelatedSkill;
      link(b, 'skillSkillRelations', r.originalSkillUri, r.relatedSkillUri, rules, at);
    },
  });
  addCollections(b);
  linkIscoGroups(b);
  return finish(b, report, options.definitions);
}

/** Lets SIGTERM stop a long read between two records (the scan itself knows no signal). */
function interruptible(dataset: EscoDataset, signal: AbortSignal): EscoDataset {
  return {
    language: dataset.language,
    files: dataset.files,
    missingOptional: dataset.missingOptional,
    ignored: dataset.ignored,
    fingerprint: () => dataset.fingerprint(),
    scan: (handlers) => {
      const wrapped: Record<string, unknown> = {};
      for (const [kind, handler] of Object.entries(handlers) as [string, (r: unknown, at: unknown) => unknown][]) {
        wrapped[kind] = (record: unknown, at: unknown) => {
          throwIfInterrupted(signal);
          return handler(record, at);
        };
      }
      return dataset.scan(wrapped as RecordHandlers);
    },
  };
}

function newBuilder(definitions: SchemaDefinitions): Builder {
  const known = new Map<CollectionName, ReadonlySet<string>>();
  for (const name of INGESTED_COLLECTIONS) {
    const def = findCollection(definitions, name);
    known.set(name, new Set([...def.properties.map((p) => p.name), ...def.references.map((r) => r.name)]));
  }
  const stats = (): LinkStats => ({ rows: 0, duplicates: 0, unresolved: 0, links: 0, examples: [] });
  const nodes = Object.fromEntries(INGESTED_COLLECTIONS.map((c) => [c, []])) as unknown as Record<
    CollectionName,
    Node[]
  >;
  return {
    known,
    byUri: new Map(),
    nodes,
    members: [],
    forwardSource: new Map(),
    links: {
      occupationSkillRelations: stats(),
      broaderRelationsSkillPillar: stats(),
      broaderRelationsOccPillar: stats(),
      skillSkillRelations: stats(),
      collections: stats(),
      occupationIscoGroup: stats(),
    },
  };
}

function addNode(
  b: Builder,
  collection: CollectionName,
  uri: string,
  properties: Properties,
  at?: RecordLocation,
  iscoCode?: string,
): void {
  const other = b.byUri.get(uri);
  if (other) {
    const where = at ? `${at.file} line ${at.line}` : collection;
    throw new EscoInitError(
      'DATA_INVALID',
      `${where}: concept ${uri} appears again (already read as a ${other.collection}); each conceptUri must be unique. Fix the dataset.`,
    );
  }
  checkMapped(b, collection, Object.keys(properties));
  // Every field of a record is a substring of its decoded CSV chunk: serialised (and the URI
  // copied), the record lets the chunk go while the rest of the file is read.
  const own = unsliced(uri);
  const node: Node = {
    collection,
    id: objectId(own),
    uri: own,
    json: JSON.stringify(properties),
    iscoCode,
    refs: new Map(),
  };
  b.byUri.set(own, node);
  b.nodes[collection].push(node);
  b.onNode?.(collection, node.id, own);
}

function checkMapped(b: Builder, collection: CollectionName, keys: Iterable<string>): void {
  for (const key of keys) {
    if (!b.known.get(collection)?.has(key))
      throw new EscoInitError('INTERNAL', `${collection}.${key} is mapped but not in the schema files`);
  }
}

/** Adds from→to (and the inverse) per the rule for the two ends' collections. */
function link(b: Builder, source: LinkSource, fromUri: string, toUri: string, rules: LinkRules, at?: RecordLocation) {
  const stats = b.links[source];
  stats.rows++;
  const from = b.byUri.get(fromUri);
  const to = b.byUri.get(toUri);
  const rule = from && to ? rules[from.collection]?.[to.collection] : undefined;
  if (!from || !to || !rule) {
    stats.unresolved++;
    if (stats.examples.length < 10) {
      const where = at ? `${at.file}:${at.line} ` : '';
      stats.examples.push(
        `${where}${fromUri} (${from?.collection ?? 'unknown'}) → ${toUri} (${to?.collection ?? 'unknown'})`,
      );
    }
    return;
  }
  // Duplicate rows are removed (and counted) in `finish`: arrays cost a pointer per reference
  // where a Set per list would cost several times that for ~300k references.
  addRef(from, rule.forward, to.id);
  if (rule.inverse) addRef(to, rule.inverse, from.id);
  b.forwardSource.set(rule.forward, source);
  stats.links++;
}

function addRef(node: Node, property: string, target: string): void {
  const list = node.refs.get(property);
  if (list) list.push(target);
  else node.refs.set(property, [target]);
}

/** One ConceptCollection per collection file; members get the key as a filterable property too. */
function addCollections(b: Builder): void {
  const keys = [...new Set(b.members.map((m) => m.record.collection))].sort();
  const memberCounts = new Map<string, number>();
  for (const key of keys) addNode(b, COLLECTIONS.conceptCollection, collectionUri(key), { key });
  const seen = new Set<string>();
  const stats = b.links.collections;
  for (const { record, at } of b.members) {
    const key = `${record.conceptUri}\n${record.collection}`;
    if (seen.has(key)) {
      stats.rows++;
      stats.duplicates++;
      continue;
    }
    seen.add(key);
    const unresolved = stats.unresolved;
    link(b, 'collections', record.conceptUri, collectionUri(record.collection), LINKS.collectionMember, at);
    if (stats.unresolved > unresolved) continue;
    memberCounts.set(record.collection, (memberCounts.get(record.collection) ?? 0) + 1);
    const member = b.byUri.get(record.conceptUri);
    if (member) member.collections = [...(member.collections ?? []), record.collection];
  }
  for (const key of keys) {
    const node = b.byUri.get(collectionUri(key));
    const properties = { key, memberCount: memberCounts.get(key) ?? 0 };
    checkMapped(b, COLLECTIONS.conceptCollection, Object.keys(properties));
    if (node) node.json = JSON.stringify(properties);
  }
  b.members = [];
}

/** Occupation → its ISCO group by the iscoGroup code column (every occupation has one). */
function linkIscoGroups(b: Builder): void {
  const byCode = new Map(b.nodes.ISCOGroup.map((n) => [n.iscoCode, n.uri]));
  for (const occupation of b.nodes.Occupation) {
    const code = occupation.iscoCode;
    if (code === undefined) continue;
    const target = byCode.get(code) ?? `(no ISCO group with code ${code})`;
    link(b, 'occupationIscoGroup', occupation.uri, target, LINKS.iscoGroupCode);
  }
}

function finish(b: Builder, dataset: DatasetReport, definitions: SchemaDefinitions): Plan {
  const collections = INGESTED_COLLECTIONS.map((name) => {
    const def = findCollection(definitions, name);
    const referenceTotals: Record<string, number> = Object.fromEntries(def.references.map((r) => [r.name, 0]));
    const objects = b.nodes[name].map((node) => {
      checkMapped(b, name, node.refs.keys());
      if (node.collections) checkMapped(b, name, ['collections']);
      const object = toPlanned(node, (prop, duplicates) => {
        const source = b.forwardSource.get(prop);
        if (!source) return; // an inverse list: its duplicates mirror the forward ones
        b.links[source].duplicates += duplicates;
        b.links[source].links -= duplicates;
      });
      for (const [prop, ids] of Object.entries(object.references))
        referenceTotals[prop] = (referenceTotals[prop] ?? 0) + ids.length;
      return object;
    });
    const referenceTargets = Object.fromEntries(def.references.map((r) => [r.name, r.target]));
    return { name, objects, referenceTotals, referenceTargets };
  });
  const expected = {
    objects: Object.fromEntries(collections.map((c) => [c.name, c.objects.length])),
    references: Object.fromEntries(collections.map((c) => [c.name, c.referenceTotals])),
  };
  return { schemaVersion: definitions.version, collections, dataset, links: b.links, expected };
}

function toPlanned(node: Node, onDuplicates: (property: string, count: number) => void): PlannedObject {
  const references: Record<string, string[]> = {};
  for (const [prop, ids] of [...node.refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const unique = sortedUnique(ids);
    if (unique.length < ids.length) onDuplicates(prop, ids.length - unique.length);
    references[prop] = unique;
  }
  node.refs.clear();
  const collections = node.collections && JSON.stringify({ collections: node.collections.sort() });
  const json = collections ? joinJsonObjects(node.json, collections) : node.json;
  return { id: node.id, uri: node.uri, json, references, hash: contentHash(json, references) };
}

/**
 * The ids sorted, without repeats, in an array of exactly their number: ~66k lists of a few ids
 * each, which `push` and `filter` leave with room for 16 or more (9 MB of ESCO v1.1.1's plan).
 */
function sortedUnique(ids: string[]): string[] {
  ids.sort();
  let count = 0;
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) count++;
  const unique = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) unique[at++] = ids[i] as string;
  return unique;
}

/**
 * Hash over the properties (in the mapping's key order) and the reference lists (sorted): equal
 * content, equal hash, whatever the file order.
 */
export function contentHash(json: string, references: Record<string, string[]>): string {
  let text = json;
  for (const key of Object.keys(references).sort()) text += `\n${key}:${references[key]?.join(',')}`;
  return hash('sha256', text, 'buffer').toString('base64url', 0, 18);
}

/** The properties of a planned object as a record (for comparisons; writes send `json` as it is). */
export function propertiesOf(object: Pick<PlannedObject, 'json'>): Properties {
  return JSON.parse(object.json) as Properties;
}

/** Total references the plan stores (both directions). */
export function totalReferences(plan: Plan): number {
  return plan.collections.reduce((sum, c) => sum + Object.values(c.referenceTotals).reduce((a, n) => a + n, 0), 0);
}
