/**
 * A set of concept URIs that stays small and off the JS heap. The scan must remember every
 * concept URI (duplicate and dangling-reference checks); a string per URI costs ~100 bytes of
 * heap plus the set entry, and V8 sizes its heap at a multiple of the live data, so peak RSS
 * would grow several times faster than the index itself. ESCO URIs are almost all
 * `http://data.europa.eu/esco/<segment>/<uuid>`: those live as 16 bytes in an open-addressing
 * table (one typed array per segment); anything else (ISCO `isco/C2654`, ISCED-F
 * `isced-f/0613`, foreign URIs) is kept verbatim in an ordinary Set.
 */
const UUID_URI =
  /^http:\/\/data\.europa\.eu\/esco\/([a-z-]+)\/([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

export class UriSet {
  private readonly bySegment = new Map<string, UuidTable>();
  private readonly other = new Set<string>();

  get size(): number {
    let n = this.other.size;
    for (const table of this.bySegment.values()) n += table.size;
    return n;
  }

  has(uri: string): boolean {
    const m = UUID_URI.exec(uri);
    if (!m) return this.other.has(uri);
    return this.bySegment.get(m[1] as string)?.has(words(m)) ?? false;
  }

  /** Adds `uri`; false when it was already there. */
  add(uri: string): boolean {
    const m = UUID_URI.exec(uri);
    if (!m) {
      if (this.other.has(uri)) return false;
      this.other.add(uri);
      return true;
    }
    const segment = m[1] as string;
    let table = this.bySegment.get(segment);
    if (!table) {
      table = new UuidTable();
      this.bySegment.set(segment, table);
    }
    return table.add(words(m));
  }
}

type Words = [number, number, number, number];

/** The UUID's 128 bits as four unsigned 32-bit words. */
function words(m: RegExpExecArray): Words {
  const last = m[6] as string;
  return [
    Number.parseInt(m[2] as string, 16),
    Number.parseInt(`${m[3]}${m[4]}`, 16),
    Number.parseInt(`${m[5]}${last.slice(0, 4)}`, 16),
    Number.parseInt(last.slice(4), 16),
  ];
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
