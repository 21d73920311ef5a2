/**
 * The concept URIs the scan has read, for its duplicate and dangling-reference checks (two
 * lookups per relation row). Each is kept as a copy of its own (see `unsliced`), so the index
 * costs ~100 bytes per concept (ESCO v1.1.1: 2 MB), not the text it was read from.
 */
import { unsliced } from './strings.ts';

export class UriSet {
  private readonly uris = new Set<string>();

  get size(): number {
    return this.uris.size;
  }

  has(uri: string): boolean {
    return this.uris.has(uri);
  }

  /** Adds `uri`; false when it was already there. */
  add(uri: string): boolean {
    if (this.uris.has(uri)) return false;
    this.uris.add(unsliced(uri));
    return true;
  }
}
