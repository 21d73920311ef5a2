/**
 * The evaluation's dataset: a copy of a real ESCO release, on disk, in ESCO's own format, in
 * which the held-out alternative labels (eval-split.ts) are gone from the altLabels column of
 * skills_<lang>.csv and occupations_<lang>.csv. Every other file and column is copied as it is, so
 * the real reader and engine ingest it like any download. (The collection files also carry
 * altLabels, but the reader keeps only membership from them: nothing of theirs is indexed.)
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCsv } from '../src/esco/csv.ts';
import { discover } from '../src/esco/discovery.ts';
import { openDataset } from '../src/esco/open.ts';
import { type ConceptLabels, labelKey, type Split } from './eval-split.ts';

const READ = { language: 'en', policy: 'strict', maxRejected: 0 } as const;

/** Occupations and skills with their labels, as the real reader gives them. */
export async function readConcepts(paths: readonly string[]): Promise<ConceptLabels[]> {
  const concepts: ConceptLabels[] = [];
  const dataset = await openDataset(paths, READ);
  await dataset.scan({
    occupations: (r) => {
      concepts.push({
        uri: r.conceptUri,
        type: 'occupation',
        preferredLabel: r.preferredLabel,
        altLabels: r.altLabels,
      });
    },
    skills: (r) => {
      concepts.push({ uri: r.conceptUri, type: 'skill', preferredLabel: r.preferredLabel, altLabels: r.altLabels });
    },
  });
  return concepts;
}

/** Writes the copy into `dir`; returns how many altLabels items were taken out. */
export async function writeHeldOutCopy(paths: readonly string[], dir: string, split: Split): Promise<number> {
  await mkdir(dir, { recursive: true });
  const { files } = await discover(paths, READ.language);
  const taken = { items: 0 };
  for (const file of files) {
    const out = createWriteStream(path.join(dir, file.name));
    if (file.kind === 'skills' || file.kind === 'occupations')
      await pipeline(withoutHeldOut(await file.open(), split.removed, taken), out);
    else await pipeline(await file.open(), out);
  }
  return taken.items;
}

async function* withoutHeldOut(
  source: Readable,
  removed: Split['removed'],
  taken: { items: number },
): AsyncGenerator<string> {
  let uriAt = -1;
  let altAt = -1;
  for await (const { fields } of readCsv(source, () => {})) {
    if (uriAt < 0) {
      [uriAt, altAt] = [fields.indexOf('conceptUri'), fields.indexOf('altLabels')];
      if (uriAt < 0 || altAt < 0) throw new Error('concept file without conceptUri or altLabels columns');
    } else {
      const keys = removed.get((fields[uriAt] ?? '').replaceAll('\u00a0', ' ').trim());
      if (keys) {
        // The reader splits altLabels on newlines: drop whole items, keep the rest byte for byte.
        const items = (fields[altAt] ?? '').split(/\r?\n/);
        const kept = items.filter((item) => !keys.has(labelKey(item)));
        taken.items += items.length - kept.length;
        fields[altAt] = kept.join('\n');
      }
    }
    yield `${fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(',')}\r\n`;
  }
}

/**
 * Reads the copy back with the real reader and throws unless it holds the same concepts with
 * exactly the kept labels: no held-out label (in any case) is left on its concept.
 */
export async function checkCopy(dir: string, original: readonly ConceptLabels[], split: Split): Promise<void> {
  const copied = new Map((await readConcepts([dir])).map((c) => [c.uri, c]));
  if (copied.size !== original.length) throw new Error(`copy has ${copied.size} concepts, expected ${original.length}`);
  for (const concept of original) {
    const copy = copied.get(concept.uri);
    const gone = split.removed.get(concept.uri) ?? new Set<string>();
    const expected = concept.altLabels.filter((l) => !gone.has(labelKey(l)));
    if (!copy || copy.preferredLabel !== concept.preferredLabel || copy.altLabels.join('\n') !== expected.join('\n')) {
      throw new Error(`copy of ${concept.uri} does not hold exactly the kept labels`);
    }
  }
}
