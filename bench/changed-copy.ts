/**
 * The `rerun-changed` dataset: a copy of a real one, on disk, in which some skills are revised
 * and some are gone, as in a new ESCO release. Written as a folder of CSVs that the bin reads like
 * any download; relation rows naming a removed skill stay in the files and become dangling rows
 * (reported and skipped), as the reader does with the official data's own.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCsv } from '../src/esco/csv.ts';
import { discover } from '../src/esco/discovery.ts';

export interface Change {
  /** Skills (0-based record index in skills_<lang>.csv) whose description gets " (revised)". */
  revise: (index: number) => boolean;
  /** Skills left out. */
  remove: (index: number) => boolean;
}

export interface ChangedCopy {
  dir: string;
  revised: number;
  removed: number;
}

export async function writeChangedCopy(paths: readonly string[], dir: string, change: Change): Promise<ChangedCopy> {
  await mkdir(dir, { recursive: true });
  const { files } = await discover(paths, 'en');
  const copy: ChangedCopy = { dir, revised: 0, removed: 0 };
  for (const file of files) {
    const out = createWriteStream(path.join(dir, file.name));
    if (file.kind === 'skills') await pipeline(changedSkills(await file.open(), change, copy), out);
    else await pipeline(await file.open(), out);
  }
  return copy;
}

async function* changedSkills(source: Readable, change: Change, copy: ChangedCopy): AsyncGenerator<string> {
  let description = -1;
  let index = -1;
  for await (const { fields } of readCsv(source, () => {})) {
    if (description < 0) {
      description = fields.indexOf('description');
      if (description < 0) throw new Error('skills file without a description column');
    } else {
      index++;
      if (change.remove(index)) {
        copy.removed++;
        continue;
      }
      if (change.revise(index)) {
        fields[description] = `${fields[description]} (revised)`;
        copy.revised++;
      }
    }
    yield `${fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(',')}\r\n`;
  }
}
