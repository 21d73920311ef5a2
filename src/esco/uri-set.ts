/**
 * A set of concept URIs that stays small and off the JS heap. The scan must remember every
 * concept URI (duplicate and dangling-reference checks); a string per URI costs ~100 bytes of
 * heap plus the set entry, and V8 sizes its heap at a multiple of the live data, so peak RSS
 * would grow several times faster than the index itself. ESCO URIs are almost all
 * `http://data.europa.eu/esco/<segment>/<uuid>`: those live as 16 bytes in an open-addressing
 * table (one typed array per segment); anything else (ISCO `isco/C2654`, ISCED-F
 * `isced-f/0613`, foreign URIs) is kept verbatim in an ordinary Set.
 */
const PREFIX = 'http://data.europa.eu/esco/';

export class UriSet {
  private readonly bySegment = new Map<string, UuidTable>();
  private readonly other = new Set<string>();

  get size(): number {
    let n = this.other.size;
    for (const table of this.bySegment.values()) n += table.size;
    return n;
  }

  has(uri: string): boolean {
    const key = uuidKey(uri);
    if (!key) return this.other.has(uri);
    return this.bySegment.get(key.segment)?.has(key.words) ?? false;
  }

  /** Adds `uri`; false when it was already there. */
  add(uri: string): boolean {
    const key = uuidKey(uri);
    if (!key) {
      if (this.other.has(uri)) return false;
      this.other.add(uri);
      return true;
    }
    let table = this.bySegment.get(key.segment);
    if (!table) {
      table = new UuidTable();
      this.bySegment.set(key.segment, table);
    }
    return table.add(key.words);
  }
}

type Words = [number, number, number, number];

/**
 * `<PREFIX><segment>/<lower-case uuid>` as its segment and the UUID's 128 bits in four unsigned
 * 32-bit words; null for any other URI. Char codes rather than a regex: the scan asks this of
 * every relation row's two ends (~300k rows for ESCO), and the regex was a tenth of a read.
 */
function uuidKey(uri: string): { segment: string; words: Words } | null {
  if (!uri.startsWith(PREFIX)) return null;
  const slash = uri.indexOf('/', PREFIX.length);
  if (slash <= PREFIX.length || uri.length - slash - 1 !== 36) return null;
  for (let i = PREFIX.length; i < slash; i++) {
    const c = uri.charCodeAt(i);
    if (c !== 0x2d && (c < 0x61 || c > 0x7a)) return null; // [a-z-]
  }
  const u = slash + 1;
  if (uri[u + 8] !== '-' || uri[u + 13] !== '-' || uri[u + 18] !== '-' || uri[u + 23] !== '-') return null;
  const w0 = hex(uri, u, 8);
  const w1 = hex(uri, u + 9, 4) * 0x10000 + hex(uri, u + 14, 4);
  const w2 = hex(uri, u + 19, 4) * 0x10000 + hex(uri, u + 24, 4);
  const w3 = hex(uri, u + 28, 8);
  if (w0 < 0 || w1 < 0 || w2 < 0 || w3 < 0) return null;
  return { segment: uri.slice(PREFIX.length, slash), words: [w0, w1, w2, w3] };
}

/** The lower-case hex digits s[from, from + n) as a number, or a negative one if any is not. */
function hex(s: string, from: number, n: number): number {
  let value = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1e12;
    value = value * 16 + d;
  }
  return value;
}

/** Linear-probing hash set of 128-bit keys; an all-zero slot is empty (the zero key is a flag). */
class UuidTable {
  private slots = new Uint32Array(4 * 1024);
  private mask = 1023;
  private used = 0;
  private hasZero = false;

  get size(): number {
    return this.used + (this.hasZero ? 1 : 0);
  }

  has(w: Words): boolean {
    if (isZero(w)) return this.hasZero;
    return this.find(w) < 0;
  }

  add(w: Words): boolean {
    if (isZero(w)) {
      const added = !this.hasZero;
      this.hasZero = true;
      return added;
    }
    if ((this.used + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const slot = this.find(w);
    if (slot < 0) return false;
    this.slots.set(w, slot * 4);
    this.used++;
    return true;
  }

  /** The free slot where `w` belongs, or -1 when `w` is present. */
  private find(w: Words): number {
    const s = this.slots;
    let i = (Math.imul(w[0] ^ w[3], 0x9e3779b1) ^ w[1] ^ w[2]) & this.mask;
    for (;;) {
      const o = i * 4;
      if (s[o] === w[0] && s[o + 1] === w[1] && s[o + 2] === w[2] && s[o + 3] === w[3]) return -1;
      if (s[o] === 0 && s[o + 1] === 0 && s[o + 2] === 0 && s[o + 3] === 0) return i;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length / 4 - 1;
    for (let o = 0; o < old.length; o += 4) {
      const w: Words = [old[o] as number, old[o + 1] as number, old[o + 2] as number, old[o + 3] as number];
      if (!isZero(w)) this.slots.set(w, this.find(w) * 4);
    }
  }
}

function isZero(w: Words): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0;
}
