/**
 * What every ingestion pass needs from its caller. The plain `ingest` command builds a simple one;
 * `init` passes the lease lock's fencing check as `guard` and the process signals as `signal`.
 */
import type { WeaviateClient } from 'weaviate-client';
import { EscoInitError } from '../errors.ts';
import { generationName } from '../generations/names.ts';
import type { Progress } from '../lease/lease-store.ts';
import type { Logger } from '../log.ts';
import type { RestEndpoint } from '../weaviate/rest.ts';

export interface IngestContext {
  client: WeaviateClient;
  log: Logger;
  /** Objects per batch request. */
  batchSize: number;
  /** Batch requests in flight at once. */
  concurrency: number;
  /** Called before every batch; throws to stop writing (e.g. the lock was lost). */
  guard(): Promise<void>;
  onProgress(progress: Progress): void;
  /** When aborted, passes stop at the next batch boundary with INTERRUPTED_SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Sends of one batch chunk in all: request retries and resends of refused objects share them (default 5). */
  maxAttempts?: number;
  /** REST access to the same Weaviate (`restEndpoint(config.weaviate)`): batch writes and read-back. */
  rest: RestEndpoint;
  /** The run's vectorizer; absent when nothing is vectorized (vectorizer none). */
  vectors?: VectorContext;
  /**
   * The generation written to (`Skill_g7`, …: src/generations); absent: the collections of the
   * plan's names themselves (`esco-init ingest`, which manages no generations).
   */
  generation?: number;
}

/** The collection the passes read and write for a collection of the plan. */
export function physicalName(ctx: Pick<IngestContext, 'generation'>, collection: string): string {
  return ctx.generation === undefined ? collection : generationName(collection, ctx.generation);
}

/**
 * What the engine needs to know of the vectorizer: which objects must carry a vector of which
 * dimension (verification), and whether a failed write is the vectorizer's doing.
 */
export interface VectorContext {
  module: string;
  /** Vectorized collection → the properties its vector is made from. */
  collections: ReadonlyMap<string, readonly string[]>;
  /** The model's dimension as reported by the service; unknown: every vector has the first one's. */
  dimensions(): number | undefined;
  /** Null while the vectorizer reaches its inference service; else what fails (naming its URL). */
  diagnose(): Promise<string | null>;
}

/** A context for callers without a lock or signals (tests, benchmarks, the `ingest` command). */
export function simpleContext(
  client: WeaviateClient,
  log: Logger,
  options: Partial<Omit<IngestContext, 'client' | 'log' | 'rest'>> & Pick<IngestContext, 'rest'>,
): IngestContext {
  return {
    client,
    log,
    batchSize: options.batchSize ?? 500,
    concurrency: options.concurrency ?? 2,
    guard: options.guard ?? (async () => {}),
    onProgress: options.onProgress ?? (() => {}),
    signal: options.signal ?? new AbortController().signal,
    maxAttempts: options.maxAttempts,
    rest: options.rest,
    vectors: options.vectors,
    generation: options.generation,
  };
}

/** The batch boundary: stop if interrupted, then let the guard veto the next write. */
export async function checkpoint(ctx: IngestContext): Promise<void> {
  throwIfInterrupted(ctx.signal);
  await ctx.guard();
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  if (signal.reason instanceof EscoInitError) throw signal.reason;
  const term = signal.reason === 'SIGTERM';
  throw new EscoInitError(
    term ? 'INTERRUPTED_SIGTERM' : 'INTERRUPTED_SIGINT',
    `interrupted by ${term ? 'SIGTERM' : 'SIGINT'} at a batch boundary; run again to resume (only what is missing or different is written).`,
  );
}
