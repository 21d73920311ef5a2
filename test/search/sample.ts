/**
 * What the search filters should find in a dataset, read from its CSVs with csv-parse,
 * independently of the project's reader: each skill's type and reuse level, each occupation's
 * ISCO group code, the members of each collection file, and the text Weaviate vectorizes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export interface Concept {
  uri: string;
  label: string;
  words: string[];
  /** With `label` and `description`, the properties the vectorizer embeds (resources/schemas). */
  altLabels: string[];
  description: string;
  /** Skills: skillType, reuseLevel; occupations: iscoGroup (the CSV's column names). */
  columns: Record<string, string>;
  collections: Set<string>;
}

export interface Sample {
  skills: Map<string, Concept>;
  occupations: Map<string, Concept>;
}

type Row = Record<string, string>;

export async function readSample(dir: string): Promise<Sample> {
  const rows = async (file: string): Promise<Row[]> =>
    parse(await readFile(path.join(dir, file)), { columns: true, bom: true, relax_column_count: true });
  const concepts = (list: Row[], columns: string[]) =>
    new Map(
      list.map((r): [string, Concept] => {
        const label = (r.preferredLabel ?? '').trim();
        const picked = Object.fromEntries(columns.map((c) => [c, (r[c] ?? '').trim()]));
        const altLabels = (r.altLabels ?? '')
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
        const concept: Concept = {
          uri: r.conceptUri ?? '',
          label,
          words: words(label),
          altLabels,
          description: (r.description ?? '').trim(),
          columns: picked,
          collections: new Set(),
        };
        return [concept.uri, concept];
      }),
    );
  const skills = concepts(await rows('skills_en.csv'), ['skillType', 'reuseLevel']);
  const occupations = concepts(await rows('occupations_en.csv'), ['iscoGroup']);
  for (const file of await readdir(dir)) {
    const key = /^(.+)Collection_en\.csv$/.exec(file)?.[1];
    if (!key) continue;
    for (const row of await rows(file)) {
      const uri = row.conceptUri ?? '';
      (skills.get(uri) ?? occupations.get(uri))?.collections.add(key);
    }
  }
  return { skills, occupations };
}

/** The one concept with this preferred label; throws when there is none or several. */
export function byLabel(concepts: Map<string, Concept>, label: string): Concept {
  const found = [...concepts.values()].filter((c) => c.label === label);
  if (found.length !== 1) throw new Error(`${found.length} concepts labelled "${label}" in the sample`);
  return found[0] as Concept;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 3);
}

/**
 * A query of the label words that occur most often (up to the 200 characters `q` allows): it
 * matches many concepts by keyword, so a filter has something to remove.
 */
export function broadQuery(concepts: Iterable<Concept>): string {
  const counts = new Map<string, number>();
  for (const c of concepts) for (const w of new Set(c.words)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
  let q = '';
  for (const w of ranked) if (q.length + w.length + 1 <= 200) q = q ? `${q} ${w}` : w;
  return q;
}
