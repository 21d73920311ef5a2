/** In-memory GenerationStore with the Weaviate one's contract, for unit tests of the orchestration. */
import { type GenerationStore, type Published, publishedOf } from '../../src/generations/generation-store.ts';

export class MemoryGenerationStore implements GenerationStore {
  /** Generations whose collections exist. */
  readonly built = new Set<number>();
  /** Published name → the generation it points at, or 'collection' (written before generations). */
  readonly names = new Map<string, number | 'collection'>();
  /** Every publish, in order. */
  readonly publishes: number[] = [];
  readonly drops: number[] = [];

  readonly collections: readonly string[];

  constructor(collections: readonly string[] = ['Skill', 'Occupation']) {
    this.collections = collections;
  }

  /** What the schema pass does: the generation's collections now exist. */
  create(generation: number): void {
    this.built.add(generation);
  }

  async list(): Promise<number[]> {
    return [...this.built].sort((a, b) => a - b);
  }

  async published(): Promise<Published> {
    return publishedOf(
      this.collections,
      this.collections.map((c) => this.names.get(c) ?? 'missing'),
    );
  }

  async publish(generation: number): Promise<void> {
    if (!this.built.has(generation)) throw new Error(`publish: generation ${generation} does not exist`);
    for (const c of this.collections) this.names.set(c, generation);
    this.publishes.push(generation);
  }

  async drop(generation: number): Promise<void> {
    if ([...this.names.values()].includes(generation)) throw new Error(`drop: generation ${generation} is published`);
    this.built.delete(generation);
    this.drops.push(generation);
  }
}
