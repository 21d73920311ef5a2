import { afterEach, describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { simpleContext } from '../../src/ingest/context.ts';
import { buildPlan, propertiesOf } from '../../src/ingest/plan.ts';
import { PENDING_HASH, writeObjects, writeReferences } from '../../src/ingest/write.ts';
import { silentLogger } from '../../src/log.ts';
import { writeObjects as writeBatch } from '../../src/weaviate/batch-writer.ts';
import { readHashes } from '../../src/weaviate/cursor.ts';
import { restEndpoint } from '../../src/weaviate/rest.ts';
import { ensureSchema, loadSchemas, type SchemaDefinitions, toWireClass } from '../../src/weaviate/schema.ts';
import { fakeDataset, occupation, skill } from '../ingest/datasets.ts';
import { useWeaviate } from '../support/weaviate.ts';

const weaviate = useWeaviate();
const log = silentLogger();
const rest = () => restEndpoint(weaviate().settings);

afterEach(async () => {
  const client = await weaviate().client();
  await client.collections.deleteAll();
});

function only(defs: SchemaDefinitions, ...names: string[]): SchemaDefinitions {
  return { ...defs, collections: defs.collections.filter((c) => names.includes(c.name)) };
}

describe('ensureSchema against a real Weaviate', () => {
  it('creates every collection with its properties and references, then changes nothing', async () => {
    const client = await weaviate().client();
    const defs = loadSchemas({ vectorizer: 'none' });
    const first = await ensureSchema(client, defs, log);
    expect(first.created.sort()).toEqual(defs.collections.map((c) => c.name).sort());
    const skill = await client.collections.exportToJson('Skill');
    const byName = new Map((skill.properties ?? []).map((p) => [p.name, p]));
    expect(byName.get('conceptUri')).toMatchObject({
      dataType: ['text'],
      tokenization: 'field',
      indexSearchable: false,
    });
    expect(byName.get('preferredLabel')).toMatchObject({ tokenization: 'word', indexSearchable: true });
    expect(byName.get('essentialForOccupations')?.dataType).toEqual(['Occupation']);
    expect(byName.get('broaderSkillGroups')?.dataType).toEqual(['SkillGroup']);
    const second = await ensureSchema(client, defs, log);
    expect(second).toEqual({ created: [], addedProperties: [], unchanged: defs.collections.map((c) => c.name) });
  });

  it('lets several processes ensure the schema at once (422 "already exists" is success)', async () => {
    const clients = await Promise.all([weaviate().client(), weaviate().client(), weaviate().client()]);
    const defs = loadSchemas({ vectorizer: 'none' });
    const reports = await Promise.all(clients.map((c) => ensureSchema(c, defs, log)));
    const created = reports.flatMap((r) => r.created).sort();
    expect(created).toEqual(defs.collections.map((c) => c.name).sort()); // each created exactly once
    const occupation = await clients[0]?.collections.exportToJson('Occupation');
    const refs = (occupation?.properties ?? []).filter((p) => p.name === 'essentialSkills');
    expect(refs).toHaveLength(1);
  });

  it('adds a property that is new in the schema files to an existing collection, keeping its data', async () => {
    const client = await weaviate().client();
    const defs = only(loadSchemas({ vectorizer: 'none' }), 'Metadata');
    const [metadata] = defs.collections;
    if (!metadata) throw new Error('no Metadata definition');
    const older = { ...metadata, properties: metadata.properties.filter((p) => p.name !== 'updatedAt') };
    await client.collections.createFromJson(toWireClass(older));
    await client.collections.use('Metadata').data.insert({ properties: { key: 'k1', kind: 'status' } });
    const report = await ensureSchema(client, defs, log);
    expect(report.addedProperties).toEqual(['Metadata.updatedAt']);
    expect(await client.collections.use('Metadata').length()).toBe(1);
  });

  it('refuses an incompatible existing collection with SCHEMA_CONFLICT naming collection, property, expected and found', async () => {
    const client = await weaviate().client();
    const defs = only(loadSchemas({ vectorizer: 'none' }), 'ConceptScheme');
    await client.collections.createFromJson({
      class: 'ConceptScheme',
      properties: [{ name: 'conceptUri', dataType: ['text'], tokenization: 'word' }],
    });
    await client.collections.use('ConceptScheme').data.insert({ properties: { conceptUri: 'keep me' } });
    const error = await ensureSchema(client, defs, log).catch((e: unknown) => e);
    expect(isEscoInitError(error, 'SCHEMA_CONFLICT')).toBe(true);
    expect((error as Error).message).toMatch(
      /ConceptScheme, property conceptUri: tokenization is "word" .* expects "field"/,
    );
    expect(await client.collections.use('ConceptScheme').length()).toBe(1); // nothing dropped
  });

  it('refuses a collection made without the vectorizer this run is configured for', async () => {
    const client = await weaviate().client();
    await ensureSchema(client, loadSchemas({ vectorizer: 'none' }), log);
    const wanted = loadSchemas({ vectorizer: 'text2vec-transformers' });
    const error = await ensureSchema(client, wanted, log).catch((e: unknown) => e);
    expect(isEscoInitError(error, 'SCHEMA_CONFLICT')).toBe(true);
    expect((error as Error).message).toContain('ISCOGroup, property (vectorizer): vectorizer is "none"');
    expect((error as Error).message).toContain('expects "text2vec-transformers"');
  });
});

describe('batch writer against a real Weaviate', () => {
  it('collects a poisoned object as a failure naming it, while the rest of the batch is written', async () => {
    const client = await weaviate().client();
    await ensureSchema(client, only(loadSchemas({ vectorizer: 'none' }), 'ConceptScheme'), log);
    const objects = Array.from({ length: 25 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      label: `scheme-${i}`,
      json: JSON.stringify({ conceptUri: `scheme-${i}`, preferredLabel: i === 13 ? 42 : `label ${i}` }),
    }));
    const target = { collection: 'ConceptScheme', referenceTargets: {} };
    const result = await writeBatch(rest(), target, objects, {
      batchSize: 10,
      concurrency: 2,
      checkpoint: async () => {},
      signal: new AbortController().signal,
      log,
    });
    expect(result.written).toBe(24);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ collection: 'ConceptScheme', label: 'scheme-13' });
    expect(result.failures[0]?.message).toMatch(/preferredLabel|text|string/i);
    expect(await client.collections.use('ConceptScheme').length()).toBe(24);
  });
});

describe('write passes against a real Weaviate', () => {
  it('fail with WRITE_FAILED naming the poisoned object; the rest is written whole', async () => {
    const client = await weaviate().client();
    const defs = loadSchemas({ vectorizer: 'none' });
    await ensureSchema(client, defs, log);
    const skills = Array.from({ length: 30 }, (_, i) => skill(i));
    const plan = await buildPlan(fakeDataset({ skills, occupations: [occupation(1)] }), { definitions: defs });
    const poisoned = plan.collections.find((c) => c.name === 'Skill')?.objects[17];
    if (!poisoned) throw new Error('no skill 17');
    poisoned.json = JSON.stringify({ ...propertiesOf(poisoned), modifiedDate: 'last tuesday' });
    const ctx = simpleContext(client, log, { batchSize: 8, concurrency: 2, rest: rest() });
    // Placeholders carry no properties: the objects pass creates all 30.
    await writeObjects(plan, ctx);
    expect(await client.collections.use('Skill').length()).toBe(30);
    const error = await writeReferences(plan, ctx).catch((e: unknown) => e);
    expect(isEscoInitError(error, 'WRITE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('1 object(s) were not written');
    expect((error as Error).message).toContain(poisoned.uri);
    // The poisoned object stays a placeholder, so the next run writes it again and verification fails until then.
    const hashes = await readHashes(client, 'Skill');
    expect(hashes.get(poisoned.id)).toBe(PENDING_HASH);
    expect([...hashes.values()].filter((h) => h === PENDING_HASH)).toHaveLength(1);
  });

  it('stop at a batch boundary when the guard throws or the signal is aborted', async () => {
    const client = await weaviate().client();
    const defs = loadSchemas({ vectorizer: 'none' });
    await ensureSchema(client, defs, log);
    const plan = await buildPlan(fakeDataset({ skills: Array.from({ length: 40 }, (_, i) => skill(i)) }), {
      definitions: defs,
    });
    let batches = 0;
    const guard = async () => {
      if (++batches > 2) throw new Error('lease lost');
    };
    const guarded = await writeObjects(
      plan,
      simpleContext(client, log, { batchSize: 5, concurrency: 1, guard, rest: rest() }),
    ).catch((e: unknown) => e);
    expect((guarded as Error).message).toBe('lease lost');
    expect(await client.collections.use('Skill').length()).toBe(10);
    const controller = new AbortController();
    controller.abort('SIGTERM');
    const aborted = await writeObjects(
      plan,
      simpleContext(client, log, { signal: controller.signal, rest: rest() }),
    ).catch((e: unknown) => e);
    expect(isEscoInitError(aborted, 'INTERRUPTED_SIGTERM')).toBe(true);
    expect(await client.collections.use('Skill').length()).toBe(10);
  });
});
