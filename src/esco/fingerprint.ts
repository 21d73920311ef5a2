/**
 * The dataset fingerprint: sha256 over the reader's format version and, in canonical file order,
 * each used file's name and the sha256 of its content bytes. Content bytes (not zip bytes), so a
 * zip and its unzipped folder give the same fingerprint.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isEscoInitError } from '../errors.ts';
import type { DatasetSource } from './discovery.ts';
import { dataInvalid } from './problems.ts';

/** Bump when the records the reader yields change shape or meaning: a new value forces re-ingestion. */
export const READER_FORMAT_VERSION = 1;

export interface FileDigest {
  name: string;
  sha256: string;
}

export function combineDigests(files: readonly FileDigest[]): string {
  const hash = createHash('sha256');
  hash.update(`esco-init dataset reader v${READER_FORMAT_VERSION}\n`);
  for (const f of files) hash.update(`${f.name}\t${f.sha256}\n`);
  return hash.digest('hex');
}

/** Hashes every file's bytes without parsing them. `sources` must be in canonical order. */
export async function fingerprintSources(sources: readonly DatasetSource[]): Promise<string> {
  const digests: FileDigest[] = [];
  for (const source of sources) {
    const hash = createHash('sha256');
    await hashStream(source, hash);
    digests.push({ name: source.name, sha256: hash.digest('hex') });
  }
  return combineDigests(digests);
}

async function hashStream(source: DatasetSource, hash: Hash): Promise<void> {
  try {
    if (source.file) await hashFile(source.file, hash);
    else for await (const chunk of await source.open()) hash.update(chunk as Buffer);
  } catch (cause) {
    if (isEscoInitError(cause)) throw cause;
    const reason = `cannot read the file: ${(cause as Error).message}`;
    throw dataInvalid([{ file: source.name, line: 0, column: null, value: null, code: 'FILE_UNREADABLE', reason }]);
  }
}

/**
 * Plain files are read into one reused buffer: a stream allocates a buffer per chunk, and with
 * almost no other allocation the GC lets hundreds of MB of them pile up before collecting.
 */
async function hashFile(file: string, hash: Hash): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
