/**
 * A changed copy of a real dataset, on disk, as a new ESCO release would be: some skills and
 * occupations have a new preferred label or description (the text Weaviate's module vectorizes),
 * some are gone and a few are new. Written as a folder of CSVs that the bin reads like any
 * download; relation rows naming a removed concept stay in the files and become dangling rows
 * (reported and skipped), as the reader does with the official data's own.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCsv } from '../src/esco/csv.ts';
import type { FileKind } from '../src/esco/dataset.ts';
import { discover } from '../src/esco/discovery.ts';

/** The concept files a change applies to; the others are copied as they are. */
export type ChangedKind = Extract<FileKind, 'skills' | 'occupations'>;

export interface Change {
  kinds: readonly ChangedKind[];
  /** Concepts (0-based record index in their file) whose text gets " (revised)". */
  revise: (index: number) => boolean;
  /** Concepts left out. */
  remove: (index: number) => boolean;
  /** New concepts per file: copies of the first records under new URIs and labels. */
  add?: number;
}

export interface ChangedCopy {
  dir: string;
  revised: number;
  removed: number;
  added: number;
}

/** 1 % of the skills revised, 0.5 % removed (disjoint): a small correction release. */
export const ONE_PERCENT: Change = {
  kinds: ['skills'],
  revise: (i) => i % 100 === 7,
  remove: (i) => i % 200 === 3,
};

/** 10 % of skills and occupations revised, 0.5 % removed and 20 added per file (disjoint). */
export const TEN_PERCENT: Change = {
  kinds: ['skills', 'occupations'],
  revise: (i) => i % 10 === 7,
  remove: (i) => i % 200 === 3,
  add: 20,
};

export async function writeChangedCopy(paths: readonly string[], dir: string, change: Change): Promise<ChangedCopy> {
  await mkdir(dir, { recursive: true });
  const { files } = await discover(paths, 'en');
  const copy: ChangedCopy = { dir, revised: 0, removed: 0, added: 0 };
  for (const file of files) {
    const out = createWriteStream(path.join(dir, file.name));
    const changed = (change.kinds as readonly FileKind[]).includes(file.kind);
    if (changed) await pipeline(changedConcepts(await file.open(), change, copy), out);
    else await pipeline(await file.open(), out);
  }
  return copy;
}

/** Revised rows alternate between a new description and a new preferred label. */
async function* changedConcepts(source: Readable, change: Change, copy: ChangedCopy): AsyncGenerator<string> {
  let columns: { uri: number; label: number; description: number } | undefined;
  let index = -1;
  const added: string[][] = [];
  for await (const { fields } of readCsv(source, () => {})) {
    if (!columns) {
      columns = columnsOf(fields);
      yield line(fields);
      continue;
    }
    index++;
    if (added.length < (change.add ?? 0)) added.push(newConcept(fields, columns, added.length));
    if (change.remove(index)) {
      copy.removed++;
      continue;
    }
    if (change.revise(index)) {
      const column = copy.revised % 2 === 0 ? columns.description : columns.label;
      fields[column] = `${fields[column]} (revised)`;
      copy.revised++;
    }
    yield line(fields);
  }
  copy.added += added.length;
  for (const fields of added) yield line(fields);
}

function columnsOf(header: string[]): { uri: number; label: number; description: number } {
  const columns = {
    uri: header.indexOf('conceptUri'),
    label: header.indexOf('preferredLabel'),
    description: header.indexOf('description'),
  };
  if (Object.values(columns).some((i) => i < 0))
    throw new Error('a concept file without conceptUri, preferredLabel or description');
  return columns;
}

/** A copy of a record under a new URI, with labels of its own (ESCO repeats the preferred label in altLabels). */
function newConcept(fields: string[], columns: { uri: number; label: number }, n: number): string[] {
  const copy = [...fields];
  const label = fields[columns.label] ?? '';
  copy[columns.uri] = `${fields[columns.uri]}-bench-added-${n}`;
  copy[columns.label] = `${label} (added ${n})`;
  return copy;
}

const line = (fields: readonly string[]) => `${fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(',')}\r\n`;
