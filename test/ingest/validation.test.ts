/**
 * The checks of `esco-init validate` that compare the status record and the stored counts with
 * the dataset (src/ingest/validation.ts), on the sample dataset; the checks that read Weaviate
 * back run in test/scripts/init.int.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/esco/open.ts';
import { buildPlan, type Plan } from '../../src/ingest/plan.ts';
import { recordChecks, renderValidation } from '../../src/ingest/validation.ts';
import { type DatasetStatus, notStarted } from '../../src/status/status-store.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/sample');
const SCHEMA = 'schema-1';
let plan: Plan;

beforeAll(async () => {
  const dataset = await openDataset([SAMPLE], { language: 'en', policy: 'strict', maxRejected: 0 });
  plan = await buildPlan(dataset, { definitions: loadSchemas({ vectorizer: 'none' }) });
});

/** The record a complete ingestion of the plan leaves. */
function completed(): DatasetStatus {
  const counts: Record<string, number> = {
    danglingRelations: plan.dataset.danglingReferences.total,
    unresolvedLinks: Object.values(plan.links).reduce((n, l) => n + l.unresolved, 0),
  };
  for (const c of plan.collections) {
    counts[c.name] = c.objects.length;
    counts[`${c.name}.references`] = Object.values(c.referenceTotals).reduce((a, n) => a + n, 0);
  }
  const base = notStarted('esco', '0.1.0');
  return {
    ...base,
    state: 'completed',
    fingerprint: plan.dataset.fingerprint,
    schemaVersion: SCHEMA,
    counts,
    runId: 'r1',
  };
}

function stored(): Record<string, number> {
  return Object.fromEntries(plan.collections.map((c) => [c.name, c.objects.length]));
}

describe('recordChecks', () => {
  it('passes a complete record of this dataset and schema with every object stored, in report order', () => {
    const checks = recordChecks({ plan, status: completed(), schemaVersion: SCHEMA, stored: stored() });
    expect(checks.map((c) => c.name)).toEqual([
      'status',
      'fingerprint',
      'schema',
      ...plan.collections.map((c) => `count ${c.name}`),
      'dangling references',
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks[0]?.detail).toBe('state completed (run r1)');
  });

  it('fails the count of a collection whose recorded or stored count is off, and no other', () => {
    const status = completed();
    const tampered = { ...status, counts: { ...status.counts, Skill: (status.counts?.Skill ?? 0) + 1 } };
    const failed = recordChecks({ plan, status: tampered, schemaVersion: SCHEMA, stored: stored() }).filter(
      (c) => !c.ok,
    );
    expect(failed.map((c) => c.name)).toEqual(['count Skill']);
    expect(failed[0]?.detail).toMatch(/^dataset (\d+), stored \1, recorded (\d+);/);
    const missing = { ...stored(), Occupation: 0 };
    const off = recordChecks({ plan, status, schemaVersion: SCHEMA, stored: missing }).filter((c) => !c.ok);
    expect(off.map((c) => c.name)).toEqual(['count Occupation']);
  });

  it('fails everything the record should say when there is no record, saying none', () => {
    const checks = recordChecks({ plan, status: null, schemaVersion: SCHEMA, stored: stored() });
    expect(checks.every((c) => !c.ok)).toBe(true);
    expect(checks[0]?.detail).toBe('state not_started');
    expect(checks[1]?.detail).toBe(`dataset ${plan.dataset.fingerprint.slice(0, 12)}, ingested none`);
    expect(checks[2]?.detail).toBe(`expected ${SCHEMA}, ingested none`);
    expect(checks.at(-1)?.detail).toMatch(/recorded: none, none$/);
  });

  it('fails a record of another schema version', () => {
    const checks = recordChecks({ plan, status: completed(), schemaVersion: 'schema-2', stored: stored() });
    expect(checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual([`expected schema-2, ingested ${SCHEMA}`]);
  });
});

describe('renderValidation', () => {
  it('lists each check and ends with the verdict', () => {
    const ok = { name: 'status', ok: true, detail: 'state completed' };
    const bad = { name: 'count Skill', ok: false, detail: 'dataset 2, stored 1' };
    expect(renderValidation({ ok: true, checks: [ok] })).toBe(
      '  ok    status: state completed\nvalid: Weaviate holds exactly the dataset\n',
    );
    expect(renderValidation({ ok: false, checks: [ok, bad] })).toBe(
      '  ok    status: state completed\n  FAIL  count Skill: dataset 2, stored 1\ninvalid: 1 check(s) failed\n',
    );
  });
});
