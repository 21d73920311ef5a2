/**
 * Finds the ESCO CSV files among the paths the user gave: folders (searched recursively,
 * including any zips inside), official zips, single CSV files, or a mix of them.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EscoInitError } from '../errors.ts';
import type { DatasetFile } from './dataset.ts';
import { classify, expectedName, FILE_ORDER, REQUIRED_KINDS, SINGLE_KINDS } from './files.ts';
import { dataInvalid } from './problems.ts';
import { listZip, openZipEntry } from './zip.ts';

export interface DatasetSource extends DatasetFile {
  /** Collection name for `*Collection_<lang>.csv` files, e.g. "greenSkills"; else null. */
  collection: string | null;
  /** Uncompressed size in bytes. */
  size: number;
  /** The plain file's path; null for a zip entry. */
  file: string | null;
  open(): Promise<Readable>;
}

export interface Discovery {
  files: DatasetSource[];
  /** Optional files not found, by the name to look for. */
  missingOptional: string[];
  /** Files that are not ESCO files of the wanted language (other languages, other names). */
  ignored: string[];
}

type Candidate = Pick<DatasetSource, 'name' | 'source' | 'size' | 'file' | 'open'>;

export async function discover(paths: readonly string[], language: string): Promise<Discovery> {
  const candidates: Candidate[] = [];
  for (const p of paths) candidates.push(...(await candidatesAt(p)));
  const files: DatasetSource[] = [];
  const ignored: string[] = [];
  for (const c of candidates) {
    const found = classify(c.name, language);
    if (found.match !== 'esco') {
      ignored.push(path.join(c.source, c.name));
      continue;
    }
    const twin = files.find((f) => f.kind === found.kind && f.collection === found.collection);
    if (twin) throw duplicateFile(c, twin);
    files.push({ ...c, kind: found.kind, collection: found.collection });
  }
  files.sort((a, b) => FILE_ORDER.indexOf(a.kind) - FILE_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
  checkRequired(files, paths, language, ignored);
  const missingOptional = SINGLE_KINDS.filter((k) => !files.some((f) => f.kind === k)).map((k) =>
    expectedName(k, language),
  );
  if (!files.some((f) => f.kind === 'collection')) missingOptional.push(`*Collection_${language}.csv`);
  return { files, missingOptional, ignored };
}

async function candidatesAt(p: string): Promise<Candidate[]> {
  const info = await stat(p).catch(() => null);
  if (!info) {
    throw new EscoInitError(
      'DATA_NOT_FOUND',
      `ESCO data path ${p} does not exist; point data.paths (--data) at the ESCO CSV zips or folder you downloaded from the ESCO portal`,
    );
  }
  if (info.isDirectory()) return folderCandidates(p);
  if (/\.zip$/i.test(p)) return zipCandidates(p);
  return [fileCandidate(p, info.size)];
}

async function folderCandidates(folder: string): Promise<Candidate[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  const out: Candidate[] = [];
  const sorted = entries.filter((e) => e.isFile() && !e.name.startsWith('.'));
  sorted.sort((a, b) => path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)));
  for (const entry of sorted) {
    const full = path.join(entry.parentPath, entry.name);
    if (/\.zip$/i.test(entry.name)) out.push(...(await zipCandidates(full)));
    else if (/\.csv$/i.test(entry.name)) out.push(fileCandidate(full, (await stat(full)).size));
  }
  return out;
}

function fileCandidate(file: string, size: number): Candidate {
  return {
    name: path.basename(file),
    source: path.dirname(file),
    size,
    file,
    open: async () => createReadStream(file),
  };
}

async function zipCandidates(zipPath: string): Promise<Candidate[]> {
  const members = await listZip(zipPath);
  return members
    .filter((m) => /\.csv$/i.test(m.entryName))
    .map((m) => ({
      name: path.posix.basename(m.entryName),
      source: zipPath,
      size: m.uncompressedSize,
      file: null,
      open: () => openZipEntry(zipPath, m.entryName),
    }));
}

function duplicateFile(c: Candidate, twin: DatasetSource): EscoInitError {
  const reason = `${c.name} found twice: in ${c.source} and in ${twin.source}; pass only one copy of each file`;
  return dataInvalid([{ file: c.name, line: 0, column: null, value: null, code: 'DUPLICATE_FILE', reason }]);
}

function checkRequired(files: DatasetSource[], paths: readonly string[], language: string, ignored: string[]): void {
  const where = paths.join(', ');
  if (files.length === 0) {
    const hint =
      ignored.length > 0
        ? ` (ignored: ${ignored
            .slice(0, 5)
            .map((f) => path.basename(f))
            .join(', ')})`
        : '';
    throw new EscoInitError(
      'DATA_NOT_FOUND',
      `no ESCO CSV files for language "${language}" in ${where}${hint}; download the ESCO CSV zips from the ESCO portal, or set --language`,
    );
  }
  const missing = REQUIRED_KINDS.filter((k) => !files.some((f) => f.kind === k));
  if (missing.length > 0) {
    const names = missing.map((k) => expectedName(k as Exclude<typeof k, 'collection'>, language));
    const others = otherLanguages(ignored, language);
    const hint =
      others.length > 0 ? ` (found language${others.length > 1 ? 's' : ''} ${others.join(', ')}: set --language?)` : '';
    throw new EscoInitError(
      'DATA_FILE_MISSING',
      `required ESCO file${names.length > 1 ? 's' : ''} ${names.join(', ')} not found in ${where}${hint}; add the ESCO "${language}" language bundle`,
      { details: { missing: names, found: files.map((f) => f.name) } },
    );
  }
}

function otherLanguages(ignored: string[], language: string): string[] {
  const found = new Set<string>();
  for (const file of ignored) {
    const c = classify(path.basename(file), language);
    if (c.match === 'otherLanguage') found.add(c.language);
  }
  return [...found].sort();
}
