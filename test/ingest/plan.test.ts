import { describe, expect, it } from 'vitest';
import { generateUuid5 } from 'weaviate-client';
import { isEscoInitError } from '../../src/errors.ts';
import type { IscoGroupRecord, SkillGroupRecord } from '../../src/esco/records.ts';
import { COLLECTIONS, objectId } from '../../src/ingest/mapping.ts';
import { buildPlan, type Plan, propertiesOf, totalReferences } from '../../src/ingest/plan.ts';
import { loadSchemas } from '../../src/weaviate/schema.ts';
import { fakeDataset, occupation, type RecordLists, skill } from './datasets.ts';

const definitions = loadSchemas({ vectorizer: 'none' });
const S = (n: number) => `http://data.europa.eu/esco/skill/s${n}`;
const O = (n: number) => `http://data.europa.eu/esco/occupation/o${n}`;
const GROUP = 'http://data.europa.eu/esco/skill/g1';
const ISCO = 'http://data.europa.eu/esco/isco/C2654';

const iscoGroup: IscoGroupRecord = {
  kind: 'iscoGroup',
  conceptUri: ISCO,
  code: '2654',
  preferredLabel: 'directors',
  altLabels: [],
  status: 'released',
  description: null,
  inScheme: [],
};
const skillGroup: SkillGroupRecord = {
  kind: 'skillGroup',
  conceptUri: GROUP,
  code: 'S1',
  preferredLabel: 'group one',
  altLabels: [],
  hiddenLabels: [],
  status: 'released',
  description: null,
  modifiedDate: null,
  scopeNote: null,
  inScheme: [],
};

function records(): RecordLists {
  return {
    skills: [skill(1), skill(2), skill(3)],
    occupations: [occupation(1), occupation(2, { iscoGroup: '9999' })],
    iscoGroups: [iscoGroup],
    skillGroups: [skillGroup],
    collection: [
      {
        kind: 'collectionMember',
        collection: 'greenSkills',
        conceptUri: S(1),
        conceptType: 'KnowledgeSkillCompetence',
        preferredLabel: 'x',
        broaderConceptUris: [],
      },
      {
        kind: 'collectionMember',
        collection: 'digitalSkills',
        conceptUri: S(1),
        conceptType: 'KnowledgeSkillCompetence',
        preferredLabel: 'x',
        broaderConceptUris: [],
      },
    ],
    occupationSkillRelations: [
      {
        kind: 'occupationSkillRelation',
        occupationUri: O(1),
        relationType: 'essential',
        skillType: null,
        skillUri: S(1),
      },
      {
        kind: 'occupationSkillRelation',
        occupationUri: O(1),
        relationType: 'optional',
        skillType: null,
        skillUri: S(2),
      },
      {
        kind: 'occupationSkillRelation',
        occupationUri: O(2),
        relationType: 'essential',
        skillType: null,
        skillUri: S(1),
      },
      // a duplicate row and a row whose "skill" is an occupation
      {
        kind: 'occupationSkillRelation',
        occupationUri: O(1),
        relationType: 'essential',
        skillType: null,
        skillUri: S(1),
      },
      {
        kind: 'occupationSkillRelation',
        occupationUri: O(1),
        relationType: 'essential',
        skillType: null,
        skillUri: O(2),
      },
    ],
    broaderRelationsSkillPillar: [
      {
        kind: 'broaderRelation',
        pillar: 'skill',
        conceptType: 'KnowledgeSkillCompetence',
        conceptUri: S(2),
        broaderType: 'KnowledgeSkillCompetence',
        broaderUri: S(1),
      },
      {
        kind: 'broaderRelation',
        pillar: 'skill',
        conceptType: 'KnowledgeSkillCompetence',
        conceptUri: S(1),
        broaderType: 'SkillGroup',
        broaderUri: GROUP,
      },
    ],
    broaderRelationsOccPillar: [
      {
        kind: 'broaderRelation',
        pillar: 'occupation',
        conceptType: 'Occupation',
        conceptUri: O(1),
        broaderType: 'ISCOGroup',
        broaderUri: ISCO,
      },
      {
        kind: 'broaderRelation',
        pillar: 'occupation',
        conceptType: 'Occupation',
        conceptUri: O(2),
        broaderType: 'Occupation',
        broaderUri: O(1),
      },
    ],
    skillSkillRelations: [
      {
        kind: 'skillSkillRelation',
        originalSkillUri: S(3),
        originalSkillType: null,
        relationType: 'optional',
        relatedSkillType: null,
        relatedSkillUri: S(1),
      },
    ],
  };
}

function object(plan: Plan, collection: string, uri: string) {
  const found = plan.collections.find((c) => c.name === collection)?.objects.find((o) => o.uri === uri);
  if (!found) throw new Error(`${collection} ${uri} not in plan`);
  return found;
}

describe('buildPlan', () => {
  it('maps concepts to objects with deterministic UUIDv5 ids of the full URI', async () => {
    const plan = await buildPlan(fakeDataset(records()), { definitions });
    expect(plan.expected.objects).toEqual({
      ISCOGroup: 1,
      SkillGroup: 1,
      Skill: 3,
      Occupation: 2,
      ConceptScheme: 0,
      ConceptCollection: 2,
    });
    const s1 = object(plan, 'Skill', S(1));
    expect(s1.id).toBe(objectId(S(1)));
    expect(s1.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(propertiesOf(s1)).toMatchObject({
      conceptUri: S(1),
      preferredLabel: 'skill 1',
      collections: ['digitalSkills', 'greenSkills'],
    });
    expect(propertiesOf(s1)).not.toHaveProperty('hiddenLabels'); // empty lists are absent, as Weaviate stores them
    expect(propertiesOf(s1)).not.toHaveProperty('scopeNote');
  });

  it('stores every relation in both directions, without duplicates', async () => {
    const plan = await buildPlan(fakeDataset(records()), { definitions });
    const id = (uri: string) => objectId(uri);
    expect(object(plan, 'Occupation', O(1)).references).toEqual({
      essentialSkills: [id(S(1))],
      optionalSkills: [id(S(2))],
      broaderIscoGroups: [id(ISCO)],
      iscoGroup: [id(ISCO)],
      narrowerOccupations: [id(O(2))],
    });
    expect(object(plan, 'Skill', S(1)).references).toMatchObject({
      essentialForOccupations: [id(O(1)), id(O(2))].sort(),
      narrowerSkills: [id(S(2))],
      broaderSkillGroups: [id(GROUP)],
      relatedOptionalSkillOf: [id(S(3))],
      inCollections: [id('esco-init:collection:digitalSkills'), id('esco-init:collection:greenSkills')].sort(),
    });
    expect(object(plan, 'SkillGroup', GROUP).references).toEqual({ narrowerSkills: [id(S(1))] });
    expect(propertiesOf(object(plan, 'ConceptCollection', 'esco-init:collection:greenSkills'))).toEqual({
      key: 'greenSkills',
      memberCount: 1,
    });
  });

  it('accounts for every relation row: links + duplicates + unresolved = rows', async () => {
    const plan = await buildPlan(fakeDataset(records()), { definitions });
    expect(plan.links.occupationSkillRelations).toMatchObject({ rows: 5, links: 3, duplicates: 1, unresolved: 1 });
    expect(plan.links.occupationSkillRelations.examples[0]).toContain('(Occupation)');
    // occupation 2 names ISCO code 9999, which no group has
    expect(plan.links.occupationIscoGroup).toMatchObject({ rows: 2, links: 1, unresolved: 1 });
    const occ = plan.expected.references.Occupation ?? {};
    expect((occ.essentialSkills ?? 0) + (occ.optionalSkills ?? 0)).toBe(plan.links.occupationSkillRelations.links);
    const skills = plan.expected.references.Skill ?? {};
    expect((skills.essentialForOccupations ?? 0) + (skills.optionalForOccupations ?? 0)).toBe(3);
    // forward + inverse for every link except the one-way ISCO-code link
    const links = Object.values(plan.links).reduce((n, s) => n + s.links, 0);
    expect(totalReferences(plan)).toBe(2 * links - plan.links.occupationIscoGroup.links);
  });

  it('gives equal content an equal hash whatever the row order, and changed content a new one', async () => {
    const a = await buildPlan(fakeDataset(records()), { definitions });
    const shuffled = records();
    shuffled.occupationSkillRelations?.reverse();
    shuffled.skills?.reverse();
    const b = await buildPlan(fakeDataset(shuffled), { definitions });
    expect(object(b, 'Occupation', O(1)).hash).toBe(object(a, 'Occupation', O(1)).hash);
    expect(object(b, 'Skill', S(1)).hash).toBe(object(a, 'Skill', S(1)).hash);
    const changed = records();
    changed.skills = [skill(1, { description: 'new text' }), skill(2), skill(3)];
    const c = await buildPlan(fakeDataset(changed), { definitions });
    expect(object(c, 'Skill', S(1)).hash).not.toBe(object(a, 'Skill', S(1)).hash);
    expect(object(c, 'Skill', S(2)).hash).toBe(object(a, 'Skill', S(2)).hash);
  });

  it('refuses a concept URI that appears twice, naming file and line', async () => {
    const dup = records();
    dup.skills = [skill(1), skill(2), skill(1)];
    const error = await buildPlan(fakeDataset(dup), { definitions }).catch((e: unknown) => e);
    expect(isEscoInitError(error, 'DATA_INVALID')).toBe(true);
    expect((error as Error).message).toContain('skills.csv line 4');
  });

  it("derives the same ids as weaviate-client's generateUuid5, for every form of URI", () => {
    const uris = [
      S(1),
      ISCO,
      'http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab',
      'http://data.europa.eu/esco/isced-f/0613',
      'esco-init:collection:greenSkills',
      'http://example.org/ünïcødé/概念',
      '',
    ];
    for (const uri of uris) expect(objectId(uri), uri).toBe(generateUuid5(uri));
  });

  it('maps only properties the schema files define, in every collection', async () => {
    const plan = await buildPlan(fakeDataset(records()), { definitions });
    for (const collection of plan.collections) {
      const def = definitions.collections.find((c) => c.name === collection.name);
      expect(def, collection.name).toBeDefined();
      expect(def?.properties.map((p) => p.name)).toContain('contentHash');
    }
    expect(Object.values(COLLECTIONS).sort()).toEqual(plan.collections.map((c) => c.name).sort());
  });
});
