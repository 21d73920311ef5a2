/**
 * The engine on the full ESCO v1.1.1 release against a real Weaviate with the default vectorizer
 * (text2vec-transformers and the project's inference service running the real model): exact
 * counts and reference totals, one inference call per vectorized object and a vector of the
 * model's dimension on each, an idempotent second run (no write, no call), the query checks, and
 * a modified dataset (a call per revised concept). One server for the file; the tests run in order
 * and build on each other's state.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { EscoDataset } from '../../src/esco/dataset.ts';
import { openDataset } from '../../src/esco/open.ts';
import { simpleContext } from '../../src/ingest/context.ts';
import { type IngestReport, ingest } from '../../src/ingest/ingest.ts';
import { objectId } from '../../src/ingest/mapping.ts';
import { buildPlan, type Plan } from '../../src/ingest/plan.ts';
import { silentLogger } from '../../src/log.ts';
import { referencedIds } from '../../src/weaviate/cursor.ts';
import { beaconIds, readRestPages, restEndpoint } from '../../src/weaviate/rest.ts';
import { WeaviateVectorizer } from '../../src/weaviate/run-vectorizer.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { useWeaviate } from '../support/weaviate.ts';
import { mutatedDataset } from './datasets.ts';

const ESCO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/esco/v1.1.1');
const present = existsSync(ESCO);
if (!present) console.warn(`\n!!! SKIPPING the full ESCO v1.1.1 ingest tests: ${ESCO} is absent !!!\n`);

const weaviate = useWeaviate();
const definitions = loadSchemas({ vectorizer: 'text2vec-transformers' });
const log = silentLogger();
const VECTORIZED = 13_896 + 3_007 + 619 + 640; // skills, occupations, ISCO groups, skill groups

/** Relation rows of v1.1.1 minus the dangling ones the reader reports (shared/esco/README.md). */
const RELATIONS = {
  occupationSkill: 123_855 - 67,
  broaderSkillPillar: 20_656 - 7,
  broaderOccPillar: 3_617 - 1,
  skillSkill: 5_899,
  collectionMembers: 2_401,
};

let base: EscoDataset;
let plan: Plan;

/** One ingest with the default batch settings, and the inference calls it cost. */
async function run(dataset: EscoDataset): Promise<IngestReport & { calls: number }> {
  const client = await weaviate().client();
  const rest = restEndpoint(weaviate().settings);
  const vectors = WeaviateVectorizer.of({ rest, url: weaviate().url, timeoutSeconds: 30, log }, definitions);
  await vectors?.ready();
  const { batchSize, concurrency } = loadConfig({}, {}).ingest;
  const ctx = simpleContext(client, log, { batchSize, concurrency, rest, vectors });
  const before = await calls();
  const report = await ingest({ plan: buildPlan(dataset, { definitions }), definitions, ctx });
  return { ...report, calls: (await calls()) - before };
}

async function calls(): Promise<number> {
  const inference = weaviate().inference;
  if (!inference) throw new Error('this file needs the harness’s inference service');
  return (await inference.stats()).requests;
}

/** Reference totals per collection.property, read straight from Weaviate over REST. */
async function storedReferenceTotals(): Promise<Record<string, number>> {
  const rest = restEndpoint(weaviate().settings);
  const totals: Record<string, number> = {};
  for (const def of definitions.collections) {
    for await (const page of readRestPages(rest, def.name, { log, signal: AbortSignal.timeout(60_000) })) {
      for (const o of page) {
        for (const r of def.references)
          totals[`${def.name}.${r.name}`] =
            (totals[`${def.name}.${r.name}`] ?? 0) + beaconIds(o.properties[r.name]).length;
      }
    }
  }
  return totals;
}

async function counts(): Promise<Record<string, number>> {
  const client = await weaviate().client();
  const out: Record<string, number> = {};
  for (const c of plan.collections) out[c.name] = await client.collections.use(c.name).length();
  return out;
}

async function referenceLists(collection: string, ids: string[], property: string): Promise<Record<string, string[]>> {
  const client = await weaviate().client();
  const out: Record<string, string[]> = {};
  for (const id of ids) {
    const o = await client.collections
      .use(collection)
      .query.fetchObjectById(id, { returnReferences: [{ linkOn: property, returnProperties: ['conceptUri'] }] });
    out[id] = o ? referencedIds(o, property).sort() : ['(missing)'];
  }
  return out;
}

describe.runIf(present)('ingest of the full ESCO v1.1.1 release', () => {
  beforeAll(async () => {
    base = await openDataset([ESCO], { language: 'en', policy: 'strict', maxRejected: 0 });
    plan = await buildPlan(base, { definitions });
  }, 600_000);

  it('stores every concept and every relation with exact counts and reference totals, and a vector per concept', async () => {
    const report = await run(base);
    expect(report.calls).toBe(VECTORIZED); // calls ÷ vectorized objects = 1.0
    expect(report.verify.vectors).toBe(VECTORIZED); // each read back: present, 384 dimensions
    expect(report.danglingRelations).toBe(75);
    expect(await counts()).toEqual({
      ISCOGroup: 619,
      SkillGroup: 640,
      Skill: 13_896,
      Occupation: 3_007,
      ConceptScheme: 19,
      ConceptCollection: 7,
    });
    const t = await storedReferenceTotals();
    expect(t['Occupation.essentialSkills']).toBe(64_946 - 55);
    expect((t['Occupation.essentialSkills'] ?? 0) + (t['Occupation.optionalSkills'] ?? 0)).toBe(
      RELATIONS.occupationSkill,
    );
    expect((t['Skill.essentialForOccupations'] ?? 0) + (t['Skill.optionalForOccupations'] ?? 0)).toBe(
      RELATIONS.occupationSkill,
    );
    expect(
      (t['Skill.broaderSkills'] ?? 0) +
        (t['Skill.broaderSkillGroups'] ?? 0) +
        (t['SkillGroup.broaderSkillGroups'] ?? 0),
    ).toBe(RELATIONS.broaderSkillPillar);
    expect(
      (t['Skill.narrowerSkills'] ?? 0) +
        (t['SkillGroup.narrowerSkills'] ?? 0) +
        (t['SkillGroup.narrowerSkillGroups'] ?? 0),
    ).toBe(RELATIONS.broaderSkillPillar);
    expect(
      (t['Occupation.broaderIscoGroups'] ?? 0) +
        (t['Occupation.broaderOccupations'] ?? 0) +
        (t['ISCOGroup.broaderIscoGroups'] ?? 0),
    ).toBe(RELATIONS.broaderOccPillar);
    expect((t['Skill.relatedEssentialSkills'] ?? 0) + (t['Skill.relatedOptionalSkills'] ?? 0)).toBe(
      RELATIONS.skillSkill,
    );
    expect((t['Skill.inCollections'] ?? 0) + (t['Occupation.inCollections'] ?? 0)).toBe(RELATIONS.collectionMembers);
    expect(t['Occupation.iscoGroup']).toBe(3_007);
    expect(report.verify.references).toBe(Object.values(t).reduce((a, n) => a + n, 0));
  }, 1_800_000); // a safety net: about 3 min on a quiet machine, several times that under load

  it('writes nothing on a second run and leaves every count and reference list unchanged', async () => {
    const occupations = plan.collections.find((c) => c.name === 'Occupation')?.objects ?? [];
    const sample = [0, 500, 1000, 2000, 3000].map((i) => occupations[i]?.id ?? '');
    const before = {
      counts: await counts(),
      refs: await referenceLists('Occupation', sample, 'essentialSkills'),
      totals: await storedReferenceTotals(),
    };
    expect(Object.values(before.refs).every((ids) => ids.length > 0)).toBe(true);
    const report = await run(base);
    expect(report.writes).toBe(0);
    expect(report.calls).toBe(0);
    for (const c of Object.values(report.collections)) expect(c).toMatchObject({ added: 0, updated: 0, deleted: 0 });
    expect({
      counts: await counts(),
      refs: await referenceLists('Occupation', sample, 'essentialSkills'),
      totals: await storedReferenceTotals(),
    }).toEqual(before);
  }, 900_000);

  it('answers "essential skills of occupation X" and "occupations needing skill Y" as the relation file says', async () => {
    const essential = new Map<string, Set<string>>();
    const needing = new Map<string, Set<string>>();
    await base.scan({
      occupationSkillRelations: (r) => {
        if (r.relationType !== 'essential') return;
        if (!essential.has(r.occupationUri)) essential.set(r.occupationUri, new Set());
        essential.get(r.occupationUri)?.add(r.skillUri);
        if (!needing.has(r.skillUri)) needing.set(r.skillUri, new Set());
        needing.get(r.skillUri)?.add(r.occupationUri);
      },
    });
    const client = await weaviate().client();
    const occupations = client.collections.use('Occupation');
    const skills = client.collections.use('Skill');
    for (const uri of [...essential.keys()].filter((_, i) => i % 600 === 0).slice(0, 5)) {
      const o = await occupations.query.fetchObjectById(objectId(uri), {
        returnReferences: [{ linkOn: 'essentialSkills', returnProperties: ['conceptUri'] }],
      });
      const got = (o?.references?.essentialSkills?.objects ?? []).map((s) => String(s.properties.conceptUri));
      expect(new Set(got), uri).toEqual(essential.get(uri));
    }
    for (const uri of [...needing.keys()].filter((_, i) => i % 2000 === 0).slice(0, 5)) {
      const s = await skills.query.fetchObjectById(objectId(uri), {
        returnReferences: [{ linkOn: 'essentialForOccupations', returnProperties: ['conceptUri'] }],
      });
      const inverse = (s?.references?.essentialForOccupations?.objects ?? []).map((x) =>
        String(x.properties.conceptUri),
      );
      expect(new Set(inverse), uri).toEqual(needing.get(uri));
      // The same question asked from the occupation side, with a reference filter.
      const res = await occupations.query.fetchObjects({
        filters: occupations.filter.byRef('essentialSkills').byProperty('conceptUri').equal(uri),
        limit: 1000,
        returnProperties: ['conceptUri'],
      });
      expect(new Set(res.objects.map((x) => String(x.properties.conceptUri))), uri).toEqual(needing.get(uri));
    }
  }, 300_000);

  it('writes and deletes exactly what a modified dataset changed', async () => {
    const changed = mutatedDataset(base, { modify: (_s, i) => i % 100 === 7, remove: (_s, i) => i % 200 === 3 });
    const report = await run(changed);
    // Only the revised skills' text changed: rewriting an object for its references costs no call.
    expect(report.calls).toBe(changed.modified.length);
    const removedIds = new Set([...changed.removed].map(objectId));
    // Expected rewrites, from the base plan's reference lists: the modified skills, and every
    // object that pointed at a removed skill (its lists lose that reference).
    const expected = new Map<string, Set<string>>(plan.collections.map((c) => [c.name, new Set<string>()]));
    for (const uri of changed.modified) expected.get('Skill')?.add(objectId(uri));
    for (const c of plan.collections) {
      for (const o of c.objects) {
        if (removedIds.has(o.id)) continue;
        if (Object.values(o.references).some((ids) => ids.some((id) => removedIds.has(id))))
          expected.get(c.name)?.add(o.id);
      }
    }
    expect(changed.modified.length).toBe(139);
    expect(changed.removed.size).toBe(70);
    for (const c of plan.collections) {
      const counts = report.collections[c.name];
      expect(counts, c.name).toMatchObject({
        added: 0,
        updated: expected.get(c.name)?.size,
        deleted: c.name === 'Skill' ? 70 : 0,
      });
    }
    const client = await weaviate().client();
    const skills = client.collections.use('Skill');
    expect(await skills.length()).toBe(13_896 - 70);
    for (const id of [...removedIds].slice(0, 10)) expect(await skills.query.fetchObjectById(id)).toBeNull();
    const revised = await skills.query.fetchObjectById(objectId(changed.modified[0] ?? ''));
    expect(String(revised?.properties.description)).toMatch(/\(revised\)$/);
    // No stored reference points at a removed skill.
    let pointing = 0;
    for (const def of definitions.collections) {
      for await (const page of readRestPages(restEndpoint(weaviate().settings), def.name, {
        log,
        signal: AbortSignal.timeout(60_000),
      })) {
        for (const o of page)
          for (const r of def.references)
            pointing += beaconIds(o.properties[r.name]).filter((id) => removedIds.has(id)).length;
      }
    }
    expect(pointing).toBe(0);
    const again = await run(changed);
    expect([again.writes, again.calls]).toEqual([0, 0]);
  }, 1_800_000);
});
