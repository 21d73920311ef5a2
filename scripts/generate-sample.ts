/**
 * Writes data/sample/: a small dataset in the exact ESCO v1.1.1 CSV format with made-up labels
 * (nothing is copied from ESCO). It is the happy path: every relation names a concept of the
 * sample. It still carries the format's hazards so the reader is exercised on every run:
 * multi-line quoted fields, CRLF records with bare LF inside fields (skills_en.csv), `""` escapes,
 * commas in labels, the preferredLabel repeated in altLabels, U+00A0, padded labels, blank enums,
 * ragged skillsHierarchy rows, non-UUID concept URIs and mixed date precision.
 * Deterministic: a seeded PRNG, no clock. Run: `npm run sample` (or `node scripts/generate-sample.ts <dir>`).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Output folder: data/sample, or the first argument (tests regenerate into a temp folder and compare). */
const OUT = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../data/sample'));
const ESCO = 'http://data.europa.eu/esco';
const SCHEME = `${ESCO}/concept-scheme`;
const NBSP = '\u00a0';

type Row = Record<string, string>;

/** mulberry32: tiny, seeded, good enough to pick words. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(20240611);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;

/** Dates with the fractional precisions ESCO mixes (none, .9, .99, .999). */
function modifiedDate(): string {
  const base = Date.UTC(2016, 0, 1) + Math.floor(random() * 2_000) * 86_400_000 + Math.floor(random() * 86_400) * 1000;
  const iso = new Date(base).toISOString().slice(0, 19);
  const fraction = pick(['', '', '.5', '.25', '.125']);
  return `${iso}${fraction}Z`;
}

// --- CSV writing: quote only when needed, like the official files. ---------------------------

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function writeCsv(
  name: string,
  header: string[],
  rows: Row[],
  opts: { eol?: string; ragged?: (row: Row) => boolean } = {},
): void {
  const eol = opts.eol ?? '\n';
  const lines = [header.join(',')];
  for (const row of rows) {
    const cells = header.map((column) => field(row[column] ?? ''));
    if (opts.ragged?.(row)) while (cells.length > 1 && cells.at(-1) === '') cells.pop();
    lines.push(cells.join(','));
  }
  writeFileSync(path.join(OUT, name), lines.join(eol) + eol);
}

// --- Concepts ---------------------------------------------------------------------------------

interface Isco {
  uri: string;
  code: string;
  label: string;
}
const ISCO_LABELS: Record<string, string> = {
  '2': 'Makers of abstract things',
  '25': 'Network and signal professionals',
  '251': 'Signal pattern developers',
  '2511': 'Mesh signal analysts',
  '2512': 'Pattern software makers',
  '7': 'Crafts and trade people',
  '72': 'Metal, rope and rigging workers',
  '721': 'Riggers, welders and moulders',
  '7212': 'Tidal rigging workers',
};
const isco: Isco[] = Object.entries(ISCO_LABELS).map(([code, label]) => ({
  uri: `${ESCO}/isco/C${code}`,
  code,
  label,
}));
const leafIsco = isco.filter((g) => g.code.length === 4);

interface Group {
  uri: string;
  code: string;
  label: string;
  parent?: Group;
}
function group(uri: string, code: string, label: string, parent?: Group): Group {
  return parent ? { uri, code, label, parent } : { uri, code, label };
}
const gS = group(`${ESCO}/skill/${uuid()}`, 'S', 'tending and crafting');
const gS1 = group(`${ESCO}/skill/${uuid()}`, 'S1', 'growing things indoors', gS);
const gS11 = group(`${ESCO}/skill/${uuid()}`, 'S1.1', 'tending hydroponic racks', gS1);
const gS2 = group(`${ESCO}/skill/${uuid()}`, 'S2', 'rigging, ropes and knots', gS);
const gK = group(`${ESCO}/skill/${uuid()}`, 'K', 'knowing');
const gK06 = group(`${ESCO}/isced-f/06`, '', 'signal and pattern studies', gK);
const gK061 = group(`${ESCO}/isced-f/061`, '', 'pattern studies', gK06);
const gK0613 = group(`${ESCO}/isced-f/0613`, '', 'pattern craft and analysis', gK061);
const groups = [gS, gS1, gS11, gS2, gK, gK06, gK061, gK0613];
const skillLeaves = [gS11, gS2];
const knowledgeLeaves = [gK061, gK0613];

const VERBS = [
  'maintain',
  'calibrate',
  'inspect',
  'design',
  'operate',
  'assemble',
  'monitor',
  'repair',
  'tune',
  'sort',
];
const THINGS = [
  'hydroponic racks',
  'kelp farming lines',
  'solar kiln schedules',
  'bicycle drivetrains',
  'mesh network nodes',
  'beehive frames',
  'ceramic glazes',
  'tidal sensor buoys',
  'rope access gear',
  'compost windrows',
  'loom tension',
  'dune fencing',
  'clock escapements',
  'drone survey paths',
  'cider presses',
];

interface Skill {
  uri: string;
  label: string;
  type: '' | 'knowledge' | 'skill/competence';
  reuse: string;
  alts: string[];
  parents: string[];
  green: boolean;
  digital: boolean;
}

function makeSkills(): Skill[] {
  const skills: Skill[] = [];
  const seen = new Set<string>();
  for (let i = 0; skills.length < 50; i++) {
    const type = i === 7 ? '' : i % 3 === 0 ? 'knowledge' : 'skill/competence';
    const thing = pick(THINGS);
    const label =
      type === 'knowledge' ? pick(['principles of ', 'theory of ', 'history of ']) + thing : `${pick(VERBS)} ${thing}`;
    if (seen.has(label)) continue;
    seen.add(label);
    const leaves = type === 'knowledge' ? knowledgeLeaves : skillLeaves;
    const parents = [pick(leaves).uri];
    if (i % 9 === 4) parents.push(pick([...skillLeaves, ...knowledgeLeaves].filter((g) => g.uri !== parents[0])).uri);
    skills.push({
      uri: `${ESCO}/skill/${uuid()}`,
      label,
      type,
      reuse: i === 11 ? '' : pick(['sector-specific', 'cross-sector', 'occupation-specific', 'transversal']),
      alts:
        type === 'knowledge'
          ? [`${thing} knowledge`, label]
          : [`${label} work`, label, `${label.replace(/^(\w+)/, '$1 the')}`],
      parents,
      green: i % 4 === 1,
      digital: i % 5 === 2,
    });
  }
  return decorate(skills);
}

/** Puts the format's hazards into a few fixed skills. */
function decorate(skills: Skill[]): Skill[] {
  const at = (i: number): Skill => skills[i] as Skill;
  at(1).label = 'plan, sow and harvest kelp lines';
  at(1).alts = ['plan, sow and harvest kelp lines', 'sow kelp', 'harvest kelp, dry it and bale it'];
  at(2).label = 'apply "lean" methods to cider presses';
  at(2).alts = ['use "lean" on cider presses', 'apply "lean" methods to cider presses'];
  at(3).label = `tune${NBSP}clock escapements`;
  at(3).alts = ['tune clock escapements', 'adjust clock escapements'];
  at(4).label = '  monitor tidal sensor buoys ';
  at(4).alts = ['monitor tidal sensor buoys', 'watch buoys'];
  at(5).alts = ['', 'duplicate label', 'duplicate label', ''];
  // A skill broader than another skill (the skill pillar is a DAG, not a tree).
  at(6).parents.push(at(8).uri);
  return skills;
}

const skills = makeSkills();

const OCCUPATION_LABELS = [
  'kelp farm technician',
  'hydroponic grower',
  'mesh network installer',
  'tidal buoy rigger',
  'beehive frame builder',
  'ceramic glaze mixer',
  'drone survey planner',
  'clock escapement restorer',
  'cider press operator',
  'rope access inspector',
  'compost windrow manager',
  'loom tension specialist',
  'dune fencing worker',
  'solar kiln scheduler',
  'signal pattern analyst, junior',
];

interface Occupation {
  uri: string;
  label: string;
  isco: Isco;
  code: string;
  broader: string;
  essential: Skill[];
  optional: Skill[];
}

function makeOccupations(): Occupation[] {
  const occupations: Occupation[] = [];
  OCCUPATION_LABELS.forEach((label, i) => {
    const group = leafIsco[i % leafIsco.length] as Isco;
    const chosen = new Set<Skill>();
    while (chosen.size < 6 + (i % 4)) chosen.add(pick(skills));
    const list = [...chosen];
    const parentOccupation = i === 14 ? occupations[0] : undefined;
    occupations.push({
      uri: `${ESCO}/occupation/${uuid()}`,
      label,
      isco: group,
      code: `${group.code}.${i + 1}`,
      broader: parentOccupation?.uri ?? group.uri,
      essential: list.slice(0, 4),
      optional: list.slice(4),
    });
  });
  // The blank-skillType skill is used, so a relation row carries a blank skillType too.
  const blank = skills.find((s) => s.type === '') as Skill;
  const first = occupations[0] as Occupation;
  if (!first.essential.includes(blank) && !first.optional.includes(blank)) first.optional.push(blank);
  return occupations;
}

const occupations = makeOccupations();

// --- Files ------------------------------------------------------------------------------------

const GREEN_SCHEME = `${SCHEME}/${uuid()}`;
const DIGITAL_SCHEME = `${SCHEME}/${uuid()}`;
const RESEARCH_SCHEME = `${SCHEME}/${uuid()}`;

function skillRows(): Row[] {
  return skills.map((s, i) => ({
    conceptType: 'KnowledgeSkillCompetence',
    conceptUri: s.uri,
    skillType: s.type,
    reuseLevel: s.reuse,
    preferredLabel: s.label,
    altLabels: s.alts.join('\n'),
    hiddenLabels: i % 10 === 3 ? `${s.label.toUpperCase()}\n${s.label}s` : '',
    status: 'released',
    modifiedDate: modifiedDate(),
    scopeNote: i === 9 ? 'Excludes: tuning by ear.\nIncludes: tuning with\ttools.' : '',
    definition: '',
    inScheme: [
      `${SCHEME}/skills`,
      `${SCHEME}/member-skills`,
      ...(s.green ? [GREEN_SCHEME] : []),
      ...(s.digital ? [DIGITAL_SCHEME] : []),
    ].join(',\n'),
    description:
      i === 2
        ? 'Apply the so-called "lean" approach, i.e. remove waste, to cider pressing.'
        : `Be able to ${s.label.trim()},${NBSP}safely and on time.`,
  }));
}

function occupationRows(): Row[] {
  return occupations.map((o, i) => ({
    conceptType: 'Occupation',
    conceptUri: o.uri,
    iscoGroup: o.isco.code,
    preferredLabel: o.label,
    altLabels: [`${o.label} trainee`, o.label, `senior ${o.label}`].join('\n'),
    hiddenLabels: '',
    status: 'released',
    modifiedDate: modifiedDate(),
    regulatedProfessionNote: `${ESCO}/regulated-professions/${i === 3 ? 'regulated' : 'unregulated'}`,
    scopeNote: '',
    definition: '',
    inScheme: [`${SCHEME}/occupations`, `${SCHEME}/member-occupations`].join(',\n'),
    description: `${o.label} people look after ${o.label.split(' ')[0]} things.\nThey also keep records.`,
    code: o.code,
  }));
}

const iscoRows = (): Row[] =>
  isco.map((g) => ({
    conceptType: 'ISCOGroup',
    conceptUri: g.uri,
    code: g.code,
    preferredLabel: g.label,
    status: 'released',
    altLabels: '',
    inScheme: [`${SCHEME}/isco`, `${SCHEME}/occupations`].join(',\n'),
    description: `${g.label} do things of group ${g.code}.`,
  }));

const groupRows = (): Row[] =>
  groups.map((g) => ({
    conceptType: 'SkillGroup',
    conceptUri: g.uri,
    preferredLabel: g.label,
    altLabels: '',
    hiddenLabels: '',
    status: 'released',
    modifiedDate: g.code ? modifiedDate() : '',
    scopeNote: '',
    inScheme: [`${SCHEME}/skills`, `${SCHEME}/skills-hierarchy`, ...(g.code ? [] : [`${SCHEME}/isced-f`])].join('\n'),
    description: g.code === 'S2' ? 'Rigging, ropes and knots, i.e. the "rope" trades.' : '',
    code: g.code,
  }));

function hierarchyRows(): Row[] {
  return groups.map((g) => {
    const chain: Group[] = [];
    for (let at: Group | undefined = g; at; at = at.parent) chain.unshift(at);
    const row: Row = {};
    chain.forEach((level, i) => {
      row[`Level ${i} URI`] = level.uri;
      row[`Level ${i} preferred term`] = level.label;
      row[`Level ${i} code`] = level.code;
    });
    row.Description = g.code === 'S1' ? 'Growing plants, fungi and algae indoors, with or without soil.' : '';
    return row;
  });
}

function schemeRows(): Row[] {
  const scheme = (uri: string, label: string, top: string[], status = 'released'): Row => ({
    conceptType: 'ConceptScheme',
    conceptSchemeUri: uri,
    preferredLabel: label,
    title: '',
    status,
    description: '',
    hasTopConcept: top.join(',\n'),
  });
  return [
    scheme(`${SCHEME}/skills`, 'Sample skills', [gS.uri, gK.uri]),
    scheme(
      `${SCHEME}/occupations`,
      'Sample occupations',
      isco.filter((g) => g.code.length === 1).map((g) => g.uri),
    ),
    scheme(
      `${SCHEME}/isco`,
      'Sample ISCO',
      isco.filter((g) => g.code.length === 1).map((g) => g.uri),
    ),
    scheme(
      `${SCHEME}/member-skills`,
      'Sample member skills',
      skills.map((s) => s.uri),
    ),
    scheme(
      GREEN_SCHEME,
      'Green',
      skills.filter((s) => s.green).map((s) => s.uri),
    ),
    scheme(
      DIGITAL_SCHEME,
      'Digital',
      skills.filter((s) => s.digital).map((s) => s.uri),
    ),
    scheme(RESEARCH_SCHEME, 'Research occupations', [occupations[6]?.uri ?? '', occupations[14]?.uri ?? '']),
    scheme(`${SCHEME}/label-roles`, 'Label roles', [`${ESCO}/label-role/neutral`], ''),
  ];
}

const parentLabel = (uri: string): string =>
  groups.find((g) => g.uri === uri)?.label ?? skills.find((s) => s.uri === uri)?.label ?? '';

function collectionRows(members: Skill[]): Row[] {
  return members.map((s) => ({
    conceptType: 'KnowledgeSkillCompetence',
    conceptUri: s.uri,
    preferredLabel: s.label,
    status: 'released',
    skillType: s.type,
    reuseLevel: s.reuse,
    altLabels: s.alts.filter(Boolean).join(' | '),
    description: `Member of the collection: ${s.label.trim()}.`,
    broaderConceptUri: s.parents.join(' | '),
    broaderConceptPT: s.parents.map(parentLabel).join(' | '),
  }));
}

const researchRows = (): Row[] =>
  [occupations[6], occupations[14]].map((o) => ({
    conceptType: 'Occupation',
    conceptUri: o?.uri ?? '',
    preferredLabel: o?.label ?? '',
    status: 'released',
    altLabels: [o?.label, `${o?.label} trainee`].join(' | '),
    description: 'Researches things.',
    broaderConceptUri: o?.broader ?? '',
    broaderConceptPT: o === occupations[14] ? (occupations[0]?.label ?? '') : (o?.isco.label ?? ''),
  }));

const relationRows = (): Row[] =>
  occupations.flatMap((o) =>
    (['essential', 'optional'] as const).flatMap((relationType) =>
      o[relationType].map((s) => ({ occupationUri: o.uri, relationType, skillType: s.type, skillUri: s.uri })),
    ),
  );

const groupType = (uri: string): string =>
  groups.some((g) => g.uri === uri) ? 'SkillGroup' : 'KnowledgeSkillCompetence';

const skillBroaderRows = (): Row[] => [
  ...groups
    .filter((g) => g.parent)
    .map((g) => ({
      conceptType: 'SkillGroup',
      conceptUri: g.uri,
      broaderType: 'SkillGroup',
      broaderUri: g.parent?.uri ?? '',
    })),
  ...skills.flatMap((s) =>
    s.parents.map((p) => ({
      conceptType: 'KnowledgeSkillCompetence',
      conceptUri: s.uri,
      broaderType: groupType(p),
      broaderUri: p,
    })),
  ),
];

const occupationBroaderRows = (): Row[] => [
  ...isco
    .filter((g) => g.code.length > 1)
    .map((g) => ({
      conceptType: 'ISCOGroup',
      conceptUri: g.uri,
      broaderType: 'ISCOGroup',
      broaderUri: `${ESCO}/isco/C${g.code.slice(0, -1)}`,
    })),
  ...occupations.map((o) => ({
    conceptType: 'Occupation',
    conceptUri: o.uri,
    broaderType: o.broader.includes('/isco/') ? 'ISCOGroup' : 'Occupation',
    broaderUri: o.broader,
  })),
];

function skillSkillRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 8; i++) {
    const from = skills[i * 5] as Skill;
    const to = skills[i * 5 + 3] as Skill;
    rows.push({
      originalSkillUri: from.uri,
      originalSkillType: from.type,
      relationType: i % 3 === 0 ? 'essential' : 'optional',
      relatedSkillType: to.type,
      relatedSkillUri: to.uri,
    });
  }
  return rows;
}

const H = {
  skills:
    'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description',
  occupations:
    'conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code',
  isco: 'conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,description',
  groups:
    'conceptType,conceptUri,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,inScheme,description,code',
  hierarchy:
    'Level 0 URI,Level 0 preferred term,Level 1 URI,Level 1 preferred term,Level 2 URI,Level 2 preferred term,Level 3 URI,Level 3 preferred term,Description,Scope note,Level 0 code,Level 1 code,Level 2 code,Level 3 code',
  schemes: 'conceptType,conceptSchemeUri,preferredLabel,title,status,description,hasTopConcept',
  skillCollection:
    'conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description,broaderConceptUri,broaderConceptPT',
  occupationCollection:
    'conceptType,conceptUri,preferredLabel,status,altLabels,description,broaderConceptUri,broaderConceptPT',
  occupationSkill: 'occupationUri,relationType,skillType,skillUri',
  broader: 'conceptType,conceptUri,broaderType,broaderUri',
  skillSkill: 'originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri',
};
const cols = (header: string): string[] => header.split(',');
const CRLF = { eol: '\r\n' };

mkdirSync(OUT, { recursive: true });
// Only our CSVs are replaced: data/sample/README.md stays.
for (const name of readdirSync(OUT)) if (name.endsWith('.csv')) rmSync(path.join(OUT, name));
// skills_en.csv like v1.1.1 (CRLF records, bare LF inside fields); occupations_en.csv like v1.1.0 (LF).
writeCsv('skills_en.csv', cols(H.skills), skillRows(), CRLF);
writeCsv('occupations_en.csv', cols(H.occupations), occupationRows());
writeCsv('ISCOGroups_en.csv', cols(H.isco), iscoRows(), CRLF);
writeCsv('skillGroups_en.csv', cols(H.groups), groupRows(), CRLF);
writeCsv('skillsHierarchy_en.csv', cols(H.hierarchy), hierarchyRows(), {
  ...CRLF,
  ragged: (row) => !row['Level 3 URI'],
});
writeCsv('conceptSchemes_en.csv', cols(H.schemes), schemeRows(), CRLF);
writeCsv('greenSkillsCollection_en.csv', cols(H.skillCollection), collectionRows(skills.filter((s) => s.green)), CRLF);
writeCsv(
  'digitalSkillsCollection_en.csv',
  cols(H.skillCollection),
  collectionRows(skills.filter((s) => s.digital)),
  CRLF,
);
writeCsv('researchOccupationsCollection_en.csv', cols(H.occupationCollection), researchRows(), CRLF);
writeCsv('occupationSkillRelations.csv', cols(H.occupationSkill), relationRows(), CRLF);
writeCsv('broaderRelationsSkillPillar.csv', cols(H.broader), skillBroaderRows(), CRLF);
writeCsv('broaderRelationsOccPillar.csv', cols(H.broader), occupationBroaderRows(), CRLF);
writeCsv('skillSkillRelations.csv', cols(H.skillSkill), skillSkillRows(), CRLF);
process.stdout.write(`sample dataset written to ${path.relative(process.cwd(), OUT) || OUT}\n`);
