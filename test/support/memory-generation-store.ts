/** In-memory GenerationStore with the Weaviate one's contract, for unit tests of the orchestration. */
import type { GenerationStore, Published } from '../../src/generations/generation-store.ts';

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
    const targets = this.collections.map((c) => this.names.get(c));
    const distinct = new Set(targets);
    const [only] = distinct;
    if (distinct.size === 1 && typeof only === 'number') return { state: 'generation', generation: only };
    if (distinct.size === 1 && only === 'collection') return { state: 'collections' };
    if (distinct.size === 1 && only === undefined) return { state: 'none' };
    return { state: 'mixed', detail: this.collections.map((c, i) => `${c} → ${targets[i] ?? 'missing'}`).join(', ') };
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
