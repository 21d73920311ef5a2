/**
 * Reads official ESCO zips entry by entry as streams: nothing is extracted to disk. Each open
 * re-reads the (small) central directory so no file descriptor outlives a stream.
 */
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { EscoInitError } from '../errors.ts';
import { dataInvalid } from './problems.ts';

export interface ZipMember {
  /** Path inside the zip, e.g. "skills_en.csv" or "csv/skills_en.csv". */
  entryName: string;
  uncompressedSize: number;
}

const OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };

export async function listZip(zipPath: string): Promise<ZipMember[]> {
  const zip = await openZip(zipPath);
  try {
    const members: ZipMember[] = [];
    await eachEntry(zip, zipPath, (entry) => {
      if (!entry.fileName.endsWith('/')) {
        members.push({ entryName: entry.fileName, uncompressedSize: entry.uncompressedSize });
      }
      return false;
    });
    return members;
  } finally {
    zip.close();
  }
}

/** A stream of one entry's uncompressed bytes; the zip closes when the stream ends. */
export async function openZipEntry(zipPath: string, entryName: string): Promise<Readable> {
  const zip = await openZip(zipPath);
  try {
    let found: yauzl.Entry | undefined;
    await eachEntry(zip, zipPath, (entry) => {
      if (entry.fileName === entryName) found = entry;
      return found !== undefined;
    });
    if (!found) throw invalidZip(zipPath, `entry ${entryName} is gone`);
    if (found.isEncrypted()) throw invalidZip(zipPath, `entry ${entryName} is encrypted`);
    const raw = await zip.openReadStreamPromise(found, { decompress: false });
    // yauzl keeps the file descriptor until every open read stream has ended.
    zip.close();
    return found.compressionMethod === 0 ? raw : inflated(raw, found, zipPath);
  } catch (error) {
    zip.close();
    throw error instanceof EscoInitError ? error : invalidZip(zipPath, (error as Error).message, error);
  }
}

/**
 * The entry's bytes inflated here rather than by yauzl, whose inflater hands them over 16 KiB at a
 * time (a tenth of a full read went to those callbacks); the size check it would make is ours.
 */
function inflated(raw: Readable, entry: yauzl.Entry, zipPath: string): Readable {
  if (entry.compressionMethod !== 8) {
    raw.destroy();
    throw invalidZip(
      zipPath,
      `entry ${entry.fileName} uses compression method ${entry.compressionMethod}, not deflate`,
    );
  }
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const expected = entry.uncompressedSize;
      done(
        bytes === expected ? null : new Error(`entry ${entry.fileName} inflates to ${bytes} bytes, not ${expected}`),
      );
    },
  });
  // A failure of any stage destroys `counted` with it: the reader sees it as the stream's error.
  return pipeline(raw, zlib.createInflateRaw({ chunkSize: 64 * 1024 }), counted, () => {});
}

async function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(zipPath, OPTIONS);
  } catch (cause) {
    throw invalidZip(zipPath, (cause as Error).message, cause);
  }
}

/** Visits entries in order until `visit` returns true or the directory ends. */
function eachEntry(zip: yauzl.ZipFile, zipPath: string, visit: (entry: yauzl.Entry) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeAllListeners('entry');
      zip.removeAllListeners('end');
      zip.removeAllListeners('error');
    };
    zip.on('entry', (entry: yauzl.Entry) => {
      if (visit(entry)) {
        cleanup();
        resolve();
      } else {
        zip.readEntry();
      }
    });
    zip.on('end', () => {
      cleanup();
      resolve();
    });
    zip.on('error', (cause: Error) => {
      cleanup();
      reject(invalidZip(zipPath, cause.message, cause));
    });
    zip.readEntry();
  });
}

export function invalidZip(zipPath: string, reason: string, cause?: unknown): EscoInitError {
  const why = `not a readable zip (${reason}); download the ESCO CSV zip again from the ESCO portal`;
  const row = { file: path.basename(zipPath), line: 0, column: null, value: null, code: 'ZIP_INVALID', reason: why };
  const error = dataInvalid([row]);
  return new EscoInitError(error.code, error.message, { cause, details: error.details });
}
