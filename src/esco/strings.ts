/**
 * A copy of `text` that shares no memory with the string it was cut from. A field read from a CSV
 * is a substring of its decoded 64 KiB chunk, and V8 keeps the whole chunk alive for as long as
 * the substring lives: whatever outlives the scan (concept URIs, serialised records) is copied.
 */
export function unsliced(text: string): string {
  return Buffer.from(text).toString();
}
