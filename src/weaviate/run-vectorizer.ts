/**
 * The run's vectorizer as the engine sees it (IngestContext.vectors), read from Weaviate's meta
 * (src/weaviate/vectorizer.ts): which collections carry vectors, the model's dimension, and
 * whether the module still reaches its inference service when a write fails.
 */
import type { SchemaDefinitions, Vectorizer } from './schema.ts';
import { type AwaitOptions, awaitVectorizer, missingModule, probeVectorizer } from './vectorizer.ts';

/**
 * The run's vectorizer as the engine sees it (IngestContext.vectors), read from Weaviate's meta.
 * It is the engine's VectorContext (src/ingest/context.ts) by shape, checked where it is handed
 * to the engine, so that this adapter does not import the engine that uses it.
 */
export class WeaviateVectorizer {
  readonly module: Exclude<Vectorizer, 'none'>;
  readonly collections: ReadonlyMap<string, readonly string[]>;
  readonly #options: AwaitOptions;
  #dimensions: number | undefined;

  constructor(options: AwaitOptions, definitions: SchemaDefinitions) {
    this.#options = options;
    this.module = options.module;
    const vectorized = definitions.collections.filter((c) => c.vectorizer !== 'none');
    this.collections = new Map(vectorized.map((c) => [c.name, c.vectorizedProperties]));
  }

  /** Null for a run without a vectorizer. */
  static of(options: Omit<AwaitOptions, 'module'>, definitions: SchemaDefinitions): WeaviateVectorizer | undefined {
    const module = definitions.vectorizer;
    return module === 'none' ? undefined : new WeaviateVectorizer({ ...options, module }, definitions);
  }

  dimensions(): number | undefined {
    return this.#dimensions;
  }

  /** Fails at once when Weaviate does not run the module; learns the model's dimension if it answers. */
  async check(): Promise<void> {
    const found = await probeVectorizer(this.#options.rest, this.module);
    if (found.state === 'missing') throw missingModule(this.#options.url, this.module, found.modules);
    if (found.state === 'ok') this.#dimensions = found.dimensions;
  }

  /** Waits (up to the startup timeout) until the module reaches its inference service. */
  async ready(): Promise<void> {
    const found = await awaitVectorizer(this.#options);
    this.#dimensions = found.dimensions;
    this.#options.log.info(
      { module: this.module, model: found.model, dimensions: found.dimensions },
      'the vectorizer reaches its inference service',
    );
  }

  async diagnose(): Promise<string | null> {
    const found = await probeVectorizer(this.#options.rest, this.module);
    if (found.state === 'ok') return null;
    return found.state === 'failing' ? found.error : `Weaviate no longer runs the ${this.module} module`;
  }
}
