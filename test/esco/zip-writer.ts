/**
 * A minimal zip writer for tests (stored or deflated entries, no zip64): enough to build
 * ESCO-like bundles, nested folders, and deliberately broken archives.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipInput {
  name: string;
  data: string | Buffer;
  method?: 'store' | 'deflate';
  /** The uncompressed size the headers claim, when it should be a lie. */
  declaredSize?: number;
}

export function makeZip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const deflate = entry.method !== 'store';
    const body = deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.declaredSize ?? raw.length;
    const common = { crc: crc32(raw), compressed: body.length, size, method: deflate ? 8 : 0, name };
    const local = header(0x04034b50, common, offset, false);
    locals.push(local, body);
    centrals.push(header(0x02014b50, common, offset, true));
    offset += local.length + body.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

interface Common {
  crc: number;
  compressed: number;
  size: number;
  method: number;
  name: Buffer;
}

function header(signature: number, c: Common, offset: number, central: boolean): Buffer {
  const fixed = central ? 46 : 30;
  const b = Buffer.alloc(fixed + c.name.length);
  b.writeUInt32LE(signature, 0);
  let at = 4;
  if (central) {
    b.writeUInt16LE(20, at); // version made by
    at += 2;
  }
  b.writeUInt16LE(20, at); // version needed
  b.writeUInt16LE(0x0800, at + 2); // flags: UTF-8 names
  b.writeUInt16LE(c.method, at + 4);
  b.writeUInt16LE(0, at + 6); // time
  b.writeUInt16LE(0x21, at + 8); // date: 1980-01-01
  b.writeUInt32LE(c.crc, at + 10);
  b.writeUInt32LE(c.compressed, at + 14);
  b.writeUInt32LE(c.size, at + 18);
  b.writeUInt16LE(c.name.length, at + 22);
  b.writeUInt16LE(0, at + 24); // extra length
  if (central) b.writeUInt32LE(offset, 42); // local header offset (comment/disk/attrs stay 0)
  c.name.copy(b, fixed);
  return b;
}
