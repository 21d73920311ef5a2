import { describe, expect, it } from 'vitest';
import { type ConceptLabels, holdOutLabels, labelKey } from '../../bench/eval-split.ts';

/** 40 made-up occupations with 10 alternative labels each, and a few hand-made traps. */
function concepts(): ConceptLabels[] {
  const made: ConceptLabels[] = Array.from({ length: 40 }, (_, i) => ({
    uri: `http://data.europa.eu/esco/occupation/o${i}`,
    type: 'occupation',
    preferredLabel: `occupation ${i}`,
    altLabels: Array.from({ length: 10 }, (_, j) => `label ${i}.${j}`),
  }));
  made.push({
    uri: 'http://data.europa.eu/esco/skill/s1',
    type: 'skill',
    preferredLabel: 'manage staff',
    // ESCO repeats the preferred label in altLabels, sometimes in another case or with spaces.
    altLabels: ['Manage staff', ' manage staff\u00a0', 'Lead a team', 'lead a team', 'supervise staff'],
  });
  made.push({
    uri: 'http://data.europa.eu/esco/skill/s2',
    type: 'skill',
    preferredLabel: 'supervise staff',
    altLabels: ['oversee workers'],
  });
  return made;
}

describe('holdOutLabels', () => {
  it('is deterministic for a seed, whatever the order of the concepts, and differs with the seed', () => {
    const a = holdOutLabels(concepts(), { fraction: 0.1, seed: 'x' });
    const b = holdOutLabels(concepts().reverse(), { fraction: 0.1, seed: 'x' });
    const c = holdOutLabels(concepts(), { fraction: 0.1, seed: 'y' });
    expect(b.heldOut).toEqual(a.heldOut);
    expect(c.heldOut).not.toEqual(a.heldOut);
  });

  it('holds out the fraction of each type, rounded', () => {
    const split = holdOutLabels(concepts(), { fraction: 0.1, seed: 'x' });
    expect(split.stats.occupation).toMatchObject({ concepts: 40, altLabels: 400, candidates: 400, heldOut: 40 });
    // s1: "lead a team" (one label in two cases) and "supervise staff"; s2: "oversee workers".
    expect(split.stats.skill).toMatchObject({ concepts: 2, candidates: 3, heldOut: 0 });
    expect(holdOutLabels(concepts(), { fraction: 1, seed: 'x' }).stats.skill.heldOut).toBe(3);
  });

  it('never holds out the preferred label, in any case or spacing, and takes case variants together', () => {
    const split = holdOutLabels(concepts(), { fraction: 1, seed: 'x' });
    const s1 = split.heldOut.filter((h) => h.uri.endsWith('/s1')).map((h) => h.label);
    expect(s1.sort()).toEqual(['Lead a team', 'supervise staff']);
    expect(split.removed.get('http://data.europa.eu/esco/skill/s1')).toEqual(
      new Set(['lead a team', 'supervise staff']),
    );
    for (const h of split.heldOut) {
      const concept = concepts().find((c) => c.uri === h.uri);
      expect(labelKey(h.label)).not.toBe(labelKey(concept?.preferredLabel ?? ''));
    }
  });

  it('marks a label that another concept of the same type also has as ambiguous', () => {
    const split = holdOutLabels(concepts(), { fraction: 1, seed: 'x' });
    const supervise = split.heldOut.find((h) => h.label === 'supervise staff');
    expect(supervise?.alsoLabelOf).toEqual(['http://data.europa.eu/esco/skill/s2']);
    expect(split.heldOut.find((h) => h.label === 'Lead a team')?.alsoLabelOf).toEqual([]);
    expect(split.stats.skill.ambiguous).toBe(1);
  });

  it('refuses a fraction outside 0..1', () => {
    expect(() => holdOutLabels(concepts(), { fraction: 1.5, seed: 'x' })).toThrow(/fraction/);
  });
});
