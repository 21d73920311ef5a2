/**
 * Ground truth for the end-to-end checks, read straight from the ESCO CSVs (a folder of CSVs or
 * the official zips) with csv-parse, independently of the project's reader: how many concepts
 * of each kind there are, and which occupation–skill relations join two existing concepts.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { listZip, openZipEntry } from '../../src/esco/zip.ts';

export interface Truth {
  /** Concept URI → preferred label. */
  skills: Map<string, string>;
  /** Skill URI → every text the CSV holds for it: labels, description, definition, scope note. */
  skillTexts: Map<string, string>;
  occupations: Map<string, string>;
  iscoGroups: number;
  skillGroups: number;
  /** Distinct `occupationUri|skillUri|essential|optional` keys whose two ends exist. */
  relations: Set<string>;
}

type Row = Record<string, string>;

const TEXT_COLUMNS = ['preferredLabel', 'altLabels', 'hiddenLabels', 'description', 'definition', 'scopeNote'];

export async function readTruth(dataDir: string): Promise<Truth> {
  const open = await opener(dataDir);
  const concepts = async (file: string, texts?: Map<string, string>) => {
    const map = new Map<string, string>();
    for await (const row of rows(await open(file))) {
      map.set(row.conceptUri ?? '', (row.preferredLabel ?? '').trim());
      texts?.set(row.conceptUri ?? '', TEXT_COLUMNS.map((column) => row[column] ?? '').join('\n'));
    }
    map.delete('');
    return map;
  };
  const skillTexts = new Map<string, string>();
  const skills = await concepts('skills_en.csv', skillTexts);
  const occupations = await concepts('occupations_en.csv');
  const iscoGroups = (await concepts('ISCOGroups_en.csv')).size;
  const skillGroups = (await concepts('skillGroups_en.csv')).size;
  const relations = new Set<string>();
  for await (const row of rows(await open('occupationSkillRelations.csv'))) {
    const { occupationUri = '', skillUri = '', relationType = '' } = row;
    if (occupations.has(occupationUri) && skills.has(skillUri))
      relations.add(`${occupationUri}|${skillUri}|${relationType}`);
  }
  return { skills, skillTexts, occupations, iscoGroups, skillGroups, relations };
}

/** Opens a CSV by name anywhere in the folder, inside a zip or not. */
async function opener(dataDir: string): Promise<(file: string) => Promise<Readable>> {
  const where = new Map<string, () => Promise<Readable>>();
  for (const entry of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
    const full = path.join(dataDir, entry);
    if (!statSync(full).isFile()) continue;
    if (full.endsWith('.zip')) {
      for (const member of await listZip(full)) {
        where.set(path.basename(member.entryName), () => openZipEntry(full, member.entryName));
      }
    } else {
      where.set(path.basename(full), async () => createReadStream(full));
    }
  }
  return async (file) => {
    const open = where.get(file);
    if (!open) throw new Error(`${file} is not in ${dataDir}`);
    return open();
  };
}

async function* rows(input: Readable): AsyncGenerator<Row> {
  yield* input.pipe(parse({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true }));
}
