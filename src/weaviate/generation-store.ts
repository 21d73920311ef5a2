/**
 * The GenerationStore (src/generations/generation-store.ts) in Weaviate: a generation is the set of
 * collections `<Name>_g<id>`, and the published names are aliases. Alias changes go through Raft one
 * at a time; readers that must not see two generations in one request pin one (docs/architecture.md).
 */
import type { WeaviateClient } from 'weaviate-client';
import { EscoInitError } from '../errors.ts';
import { type GenerationStore, type NameTarget, type Published, publishedOf } from '../generations/generation-store.ts';
import { generationName, parseGenerationName } from '../generations/names.ts';
import { failureKind } from './failure.ts';

export class WeaviateGenerationStore implements GenerationStore {
  readonly #client: WeaviateClient;
  /** The published names: the ESCO collections' names from resources/schemas. */
  readonly #names: readonly string[];

  constructor(client: WeaviateClient, names: readonly string[]) {
    this.#client = client;
    this.#names = names;
  }

  async list(): Promise<number[]> {
    const names = new Set(this.#names);
    const found = new Set<number>();
    for (const name of await this.#collectionNames()) {
      const parsed = parseGenerationName(name);
      if (parsed && names.has(parsed.collection)) found.add(parsed.generation);
    }
    return [...found].sort((a, b) => a - b);
  }

  async published(): Promise<Published> {
    const aliases = await this.#aliases();
    // The warm start's path: every name an alias, one request. Plain collections only on upgrade.
    const unaliased = this.#names.some((name) => !aliases.has(name));
    const collections = new Set(unaliased ? await this.#collectionNames() : []);
    const targets = this.#names.map((name): NameTarget => {
      const target = aliases.get(name);
      if (target !== undefined) return parseGenerationName(target)?.generation ?? `alias of ${target}`;
      return collections.has(name) ? 'collection' : 'missing';
    });
    return publishedOf(this.#names, targets);
  }

  async publish(generation: number): Promise<void> {
    const aliases = await this.#aliases();
    for (const name of this.#names) {
      const target = generationName(name, generation);
      const current = aliases.get(name);
      if (current === target) continue;
      if (current !== undefined) {
        await this.#client.alias.update({ alias: name, newTargetCollection: target });
        continue;
      }
      // A collection of the published name, from before generations: the alias takes its place.
      // Readers of that name get "not found" for the milliseconds between the two (once, on upgrade).
      if (await this.#client.collections.exists(name)) await this.#client.collections.delete(name);
      await this.#createAlias(name, target);
    }
  }

  async drop(generation: number): Promise<void> {
    const aliases = await this.#aliases();
    for (const name of this.#names) {
      const physical = generationName(name, generation);
      const by = [...aliases].find(([, target]) => target === physical);
      if (by) {
        throw new EscoInitError(
          'INTERNAL',
          `refusing to drop generation ${generation}: alias ${by[0]} points at ${physical}`,
        );
      }
    }
    for (const name of this.#names) {
      try {
        await this.#client.collections.delete(generationName(name, generation));
      } catch (error) {
        if (failureKind(error) !== 'not-found') throw error;
      }
    }
  }

  async #createAlias(alias: string, collection: string): Promise<void> {
    try {
      await this.#client.alias.create({ alias, collection });
    } catch (error) {
      // Created a moment ago by our own earlier attempt (a retried request): point it again.
      if (failureKind(error) !== 'already-exists') throw error;
      await this.#client.alias.update({ alias, newTargetCollection: collection });
    }
  }

  async #aliases(): Promise<Map<string, string>> {
    const all = (await this.#client.alias.listAll()) ?? [];
    return new Map(all.map((a) => [a.alias, a.collection]));
  }

  async #collectionNames(): Promise<string[]> {
    const all = await this.#client.collections.listAll();
    return all.map((c) => c.name);
  }
}
