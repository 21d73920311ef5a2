/**
 * What `npm run bench` (bench/ingest.ts) was asked for, as the scenarios (bench/scenarios.ts,
 * bench/engine.ts) read it: a module of its own so that they do not import the entrypoint back.
 */
import type { Vectorizer } from '../src/weaviate/schema.ts';

export interface BenchOptions {
  data: string[];
  /** Batch size and requests in flight of a run with this vectorizer: the flags, else the config's. */
  batching: (vectorizer: Vectorizer) => { batchSize: number; concurrency: number };
  /** The batching of the in-process scenarios (vectorizer none). */
  batchSize: number;
  concurrency: number;
  ltwObjects: number;
  ltwRelations: number;
  /** NODE_OPTIONS for the scenario processes (e.g. V8 heap limits), as a deployment would set them. */
  nodeOptions: string;
}
