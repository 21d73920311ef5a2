/**
 * Saturation: when the process is too busy to answer in time (its event loop lags: a flood of
 * requests, or a run in this process hogging the loop), every route answers 503 with Retry-After
 * at once instead of queueing answers that would arrive too late anyway. @fastify/under-pressure
 * measures; this decides the answer.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { tryLater } from '../http-errors.ts';

export interface SaturationLimits {
  /** Event-loop delay (ms) past which the service is saturated; 0: never. */
  maxEventLoopDelayMs: number;
  /** For tests: a heap size past which it is saturated. */
  maxHeapUsedBytes?: number;
  /** How often the process is measured (ms). */
  sampleIntervalMs?: number;
}

export function registerSaturation(app: FastifyInstance, limits: SaturationLimits, retryAfterSeconds: number): void {
  if (limits.maxEventLoopDelayMs === 0 && limits.maxHeapUsedBytes === undefined) return;
  app.register(underPressure, {
    ...(limits.maxEventLoopDelayMs > 0 && { maxEventLoopDelay: limits.maxEventLoopDelayMs }),
    ...(limits.maxHeapUsedBytes !== undefined && { maxHeapUsedBytes: limits.maxHeapUsedBytes }),
    ...(limits.sampleIntervalMs !== undefined && { sampleInterval: limits.sampleIntervalMs }),
    pressureHandler: (_request, reply, type, value) => {
      const measured = value === undefined ? type : `${type} ${Math.round(value)}`;
      const message = `the service is saturated (${measured}); try again in ${retryAfterSeconds} s`;
      tryLater(reply, { error: 'saturated', message, retryAfterSeconds });
    },
  });
}
