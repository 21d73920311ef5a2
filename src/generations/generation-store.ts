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
