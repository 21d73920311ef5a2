/**
 * Verification against a real Weaviate with the default vectorizer: it passes on what ingest
 * wrote, and it fails, naming the object, when what is stored differs from the dataset while the
 * content hash still matches (a reference added, a property changed, a vector gone behind the
 * engine's back): by the full read, by the read of a subset of objects, and by the sample. Undoing
 * the change makes it pass again.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/esco/open.ts';
import { type IngestContext, simpleContext } from '../../src/ingest/context.ts';
import { ingest } from '../../src/ingest/ingest.ts';
import { buildPlan, type Plan, type PlannedObject, propertiesOf } from '../../src/ingest/plan.ts';
import { verify } from '../../src/ingest/verify.ts';
import { silentLogger } from '../../src/log.ts';
import { restEndpoint, restText } from '../../src/weaviate/rest.ts';
import { WeaviateVectorizer } from '../../src/weaviate/run-vectorizer.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { useWeaviate } from '../support/weaviate.ts';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/sample');
const weaviate = useWeaviate();
const definitions = loadSchemas({ vectorizer: 'text2vec-transformers' });

let plan: Plan;
let ctx: IngestContext;

const occupations = () => plan.collections.find((c) => c.name === 'Occupation')?.objects ?? [];
const rest = () => ctx.rest;

beforeAll(async () => {
  const dataset = await openDataset([SAMPLE], { language: 'en', policy: 'strict', maxRejected: 0 });
  plan = await buildPlan(dataset, { definitions });
  const client = await weaviate().client();
  const log = silentLogger();
  const rest = restEndpoint(weaviate().settings);
  const vectors = WeaviateVectorizer.of({ rest, url: weaviate().url, timeoutSeconds: 30, log }, definitions);
  await vectors?.ready();
  ctx = simpleContext(client, log, { batchSize: 100, concurrency: 4, rest, vectors });
  await ingest({ plan: Promise.resolve(plan), definitions, ctx });
});

/** An occupation with essential skills, and a skill it does not have. */
function target(): { occupation: PlannedObject; extra: string } {
  const occupation = occupations().find((o, i) => i > 0 && (o.references.essentialSkills?.length ?? 0) > 0);
  const skills = plan.collections.find((c) => c.name === 'Skill')?.objects ?? [];
  const extra = skills.find((s) => !occupation?.references.essentialSkills?.includes(s.id));
  if (!occupation || !extra) throw new Error('the sample has no occupation with essential skills');
  return { occupation, extra: extra.id };
}

/** A REST beacon to the target of an Occupation reference property. */
function beaconTo(property: string, id: string): string {
  const occupation = plan.collections.find((c) => c.name === 'Occupation');
  return `weaviate://localhost/${occupation?.referenceTargets[property]}/${id}`;
}

async function failure(options: Parameters<typeof verify>[2]): Promise<string> {
  const error = await verify(plan, ctx, options).then(
    () => null,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(error?.code).toBe('VERIFY_FAILED');
  return error?.message ?? '';
}

describe('verification on a real Weaviate (the sample dataset)', () => {
  it('passes on what ingest wrote', async () => {
    const report = await verify(plan, ctx);
    expect(report.objects).toBe(plan.collections.reduce((n, c) => n + c.objects.length, 0));
    expect(report.referencesRead).toBe(report.references);
    const vectorized = plan.collections.filter((c) => ctx.vectors?.collections.has(c.name));
    expect(report.vectors).toBe(vectorized.reduce((n, c) => n + c.objects.length, 0));
    expect(report.vectors).toBeGreaterThan(50);
  });

  it('fails on a concept whose vector is gone, by the full read and by the read of that object', async () => {
    const { occupation } = target();
    const put = (properties: Record<string, unknown>) =>
      restText(rest(), `objects/Occupation/${occupation.id}`, {
        method: 'PUT',
        body: JSON.stringify({ class: 'Occupation', id: occupation.id, properties }),
      });
    const whole: Record<string, unknown> = { ...propertiesOf(occupation), contentHash: occupation.hash };
    const beacons = Object.fromEntries(
      Object.entries(occupation.references).map(([p, ids]) => [p, ids.map((id) => ({ beacon: beaconTo(p, id) }))]),
    );
    // Without the text it is made from, Weaviate stores the object without a vector.
    const { preferredLabel: _l, altLabels: _a, description: _d, ...textless } = whole;
    await put({ ...textless, ...beacons });
    const problem = `${occupation.uri}: no vector (made from preferredLabel, altLabels, description)`;
    try {
      expect(await failure(undefined)).toContain(problem);
      expect(await failure({ readBack: new Set([occupation.id]) })).toContain(problem);
    } finally {
      await put({ ...whole, ...beacons });
    }
    await expect(verify(plan, ctx)).resolves.toBeDefined();
  });

  it('fails on a reference added behind its back, by the full read and by the read of that object', async () => {
    const { occupation, extra } = target();
    const refPath = `objects/Occupation/${occupation.id}/references/essentialSkills`;
    const beacon = JSON.stringify({ beacon: `weaviate://localhost/Skill/${extra}` });
    await restText(rest(), refPath, { method: 'POST', body: beacon });
    const expected = occupation.references.essentialSkills?.length ?? 0;
    const problem = `${occupation.uri}: essentialSkills holds ${expected + 1} references, ${expected} expected`;
    try {
      expect(await failure(undefined)).toContain(problem);
      expect(await failure({ readBack: new Set([occupation.id]) })).toContain(problem);
    } finally {
      await restText(rest(), refPath, { method: 'DELETE', body: beacon });
    }
    await expect(verify(plan, ctx)).resolves.toBeDefined();
  });

  it('fails on a property changed behind its back in a sampled object, and names the property', async () => {
    const [first] = occupations(); // the sample starts at each collection's first object
    if (!first) throw new Error('the sample has no occupations');
    const label = propertiesOf(first).preferredLabel as string;
    const patch = (preferredLabel: string) =>
      restText(rest(), `objects/Occupation/${first.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ class: 'Occupation', properties: { preferredLabel } }),
      });
    await patch('tampered');
    try {
      const message = await failure({ readBack: new Set() });
      expect(message).toContain(`${first.uri}: preferredLabel is "tampered", the dataset has ${JSON.stringify(label)}`);
    } finally {
      await patch(label);
    }
    await expect(verify(plan, ctx, { readBack: new Set() })).resolves.toBeDefined();
  });
});
