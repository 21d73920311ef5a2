/**
 * The datasets bench/read.ts reads: the official v1.1.1 zips, and folders written from them
 * (1x: unzipped; 10x relation rows; 10x everything with concept URIs renamed per copy).
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { listZip, openZipEntry } from '../src/esco/zip.ts';

export const officialZips = (dir: string): string[] => [
  path.join(dir, 'ESCO dataset - v1.1.1 - classification - en - csv.zip'),
  path.join(dir, 'ESCO dataset - v1.1.1 - classification -  - csv.zip'),
];

export const RELATION_FILE = /Relations|broader/;

/**
 * Copy `copy` of a file: the header only in copy 0; with `rename`, concept URIs made unique per
 * copy (UUID URIs: first group XOR copy; others: a `-x<copy>` suffix). Works on whole lines, and
 * no URI spans a line.
 */
class CopyTransform extends Transform {
  private rest = '';
  private skipHeader: boolean;
  private readonly copy: number;
  private readonly rename: boolean;
  constructor(copy: number, rename: boolean) {
    super();
    this.copy = copy;
    this.rename = rename && copy > 0;
    this.skipHeader = copy > 0;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n') + 1;
    this.rest = text.slice(cut);
    done(null, this.convert(text.slice(0, cut)));
  }
  override _flush(done: TransformCallback): void {
    done(null, this.convert(this.rest));
  }
  private convert(text: string): string {
    let out = text;
    if (this.skipHeader && out.length > 0) {
      out = out.slice(out.indexOf('\n') + 1);
      this.skipHeader = false;
    }
    if (!this.rename) return out;
    return out.replace(
      /(http:\/\/data\.europa\.eu\/esco\/(?:skill|occupation|isco|isced-f|concept-scheme)\/)([^\s",|]+)/g,
      (_, prefix: string, id: string) => {
        const uuid = /^([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(id);
        if (!uuid) return `${prefix}${id}-x${this.copy}`;
        const first = (Number.parseInt(uuid[1] as string, 16) ^ this.copy) >>> 0;
        return `${prefix}${first.toString(16).padStart(8, '0')}${uuid[2]}`;
      },
    );
  }
}

/** Streams the files of `zips` into `dir`, each repeated `copies(name)` times. */
export async function synthesize(
  zips: string[],
  dir: string,
  copies: (name: string) => number,
  rename: boolean,
): Promise<void> {
  for (const zip of zips) {
    for (const member of await listZip(zip)) {
      const n = copies(member.entryName);
      async function* allCopies(): AsyncGenerator<Buffer | string> {
        for (let copy = 0; copy < n; copy++) {
          yield* (await openZipEntry(zip, member.entryName)).pipe(new CopyTransform(copy, rename));
        }
      }
      await pipeline(Readable.from(allCopies()), createWriteStream(path.join(dir, member.entryName)));
    }
  }
}
