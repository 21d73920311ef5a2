/**
 * What the generation rules need from storage (implemented in Weaviate by
 * src/weaviate/generation-store.ts, in memory by test/support/memory-generation-store.ts).
 */

/** Where the published names point. */
export type Published =
  /** No published name exists yet. */
  | { state: 'none' }
  /** Every published name is an alias of generation `generation`. */
  | { state: 'generation'; generation: number }
  /** Collections of the published names, written before generations existed. */
  | { state: 'collections' }
  /** Names point at different generations or some are missing: a switch was interrupted. */
  | { state: 'mixed'; detail: string };

export interface GenerationStore {
  /** Generations with at least one collection in Weaviate, complete or not, ascending. */
  list(): Promise<number[]>;
  published(): Promise<Published>;
  /**
   * Points every published name at generation `generation`, one alias at a time (Weaviate has no
   * multi-alias transaction), replacing a collection of that name written before generations.
   */
  publish(generation: number): Promise<void>;
  /** Deletes the collections of a generation that nothing publishes. */
  drop(generation: number): Promise<void>;
}

/**
 * What one published name points at: a generation, a collection of that very name (written before
 * generations), nothing, or something else (described).
 */
export type NameTarget = number | 'collection' | 'missing' | string;

/** Where the published names point, from what each one points at (in the names' order). */
export function publishedOf(names: readonly string[], targets: readonly NameTarget[]): Published {
  const distinct = new Set(targets);
  const [only] = distinct;
  if (distinct.size === 1 && typeof only === 'number') return { state: 'generation', generation: only };
  if (distinct.size === 1 && only === 'collection') return { state: 'collections' };
  if (distinct.size === 1 && only === 'missing') return { state: 'none' };
  const describe = (t: NameTarget | undefined) => (typeof t === 'number' ? `generation ${t}` : (t ?? 'missing'));
  return { state: 'mixed', detail: names.map((name, i) => `${name} → ${describe(targets[i])}`).join(', ') };
}
