/**
 * Fails fast while Weaviate is down. weaviate-client keeps retrying a gRPC call to a server that
 * refuses connections for over 20 s (measured with 3.14 against a stopped 1.38 server); a search
 * service should answer 503 with Retry-After at once instead, so that callers and load balancers
 * go elsewhere. One readiness probe serves every request for a second.
 */
import type { preHandlerAsyncHookHandler } from 'fastify';
import { type Clock, systemClock } from '../clock.ts';
import { tryLater } from '../http-errors.ts';

/** Null when Weaviate is ready; else why not (rest.ts's readinessProblem). */
export type ReadinessProbe = () => Promise<string | null>;

export class WeaviateGate {
  readonly #probe: ReadinessProbe;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #last: { at: number; problem: Promise<string | null> } | null = null;

  constructor(probe: ReadinessProbe, options: { ttlMs?: number; clock?: Clock } = {}) {
    this.#probe = probe;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? 1000;
  }

  /** Why Weaviate cannot be used now, or null; probes at most once per TTL (concurrent callers share it). */
  problem(): Promise<string | null> {
    const now = this.#clock.now();
    if (!this.#last || now - this.#last.at >= this.#ttlMs) this.#last = { at: now, problem: this.#probe() };
    return this.#last.problem;
  }

  /** `read`, unless Weaviate is known to be down: then it throws at once. */
  async guard<T>(read: () => Promise<T>): Promise<T> {
    const problem = await this.problem();
    if (problem) throw new Error(problem);
    return read();
  }
}

/** A preHandler answering 503 + Retry-After while the gate says Weaviate is down (after the auth guard). */
export function gateHandler(gate: WeaviateGate, retryAfterSeconds: number): preHandlerAsyncHookHandler {
  return async (_request, reply) => {
    const problem = await gate.problem();
    if (!problem) return;
    return tryLater(reply, { error: 'upstream_unavailable', message: problem, retryAfterSeconds });
  };
}
