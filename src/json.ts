/** `{"a":1}` and `{"b":2}` as `{"a":1,"b":2}` (the second's keys must not be in the first). */
export function joinJsonObjects(a: string, b: string): string {
  if (b === '{}') return a;
  if (a === '{}') return b;
  return `${a.slice(0, -1)},${b.slice(1)}`;
}
