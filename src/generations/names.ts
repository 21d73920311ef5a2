/**
 * How a generation's collections are named: `Skill_g7` is generation 7 of `Skill`. The published
 * names (`Skill`, …) are Weaviate aliases of one generation's collections.
 */

const SUFFIX = /^([A-Z][A-Za-z0-9]*)_g([1-9][0-9]*)$/;

export function generationName(collection: string, generation: number): string {
  return `${collection}_g${generation}`;
}

/** The collection and generation a physical collection name stands for; null for any other name. */
export function parseGenerationName(name: string): { collection: string; generation: number } | null {
  const match = SUFFIX.exec(name);
  if (!match?.[1] || !match[2]) return null;
  return { collection: match[1], generation: Number(match[2]) };
}
