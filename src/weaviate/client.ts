/**
 * Connecting to Weaviate: wait (bounded) until the server says it is ready, then open a client.
 * Readiness is polled on /v1/.well-known/ready because under `docker compose up` the server is
 * often still starting (Raft election, shard loading) when we start.
 */
import weaviate, { ApiKey, type WeaviateClient } from 'weaviate-client';
import { sleep } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import type { Logger } from '../log.ts';

export type { WeaviateClient };

export async function connect(options: Config['weaviate'], log: Logger, signal?: AbortSignal): Promise<WeaviateClient> {
  const started = performance.now();
  await waitForReady(options, log, signal);
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  try {
    const client = await weaviate.connectToCustom({
      httpHost: url.hostname,
      httpPort: Number(url.port || (secure ? 443 : 80)),
      httpPath: url.pathname === '/' ? undefined : url.pathname.replace(/\/$/, ''),
      httpSecure: secure,
      grpcHost: options.grpcHost ?? url.hostname,
      grpcPort: options.grpcPort,
      grpcSecure: secure,
      authCredentials: options.apiKey ? new ApiKey(options.apiKey) : undefined,
      timeout: { init: 10, query: 60, insert: 120 },
    });
    log.debug({ url: options.url, ms: Math.round(performance.now() - started) }, 'connected to Weaviate');
    return client;
  } catch (cause) {
    throw new EscoInitError(
      'WEAVIATE_UNREACHABLE',
      `Weaviate at ${options.url} is ready but the client could not connect (gRPC port ${options.grpcPort}): ${errorText(cause)}. Check WEAVIATE_GRPC_PORT and WEAVIATE_API_KEY.`,
      { cause },
    );
  }
}

/** Connects, runs `work`, and closes the client whatever happens: for the short-lived commands. */
export async function withClient<T>(
  options: Config['weaviate'],
  log: Logger,
  signal: AbortSignal,
  work: (client: WeaviateClient) => Promise<T>,
): Promise<T> {
  const client = await connect(options, log, signal);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Polls the readiness endpoint until 200 or the startup timeout; throws WEAVIATE_UNREACHABLE. */
export async function waitForReady(options: Config['weaviate'], log: Logger, signal?: AbortSignal): Promise<void> {
  const readyUrl = new URL('v1/.well-known/ready', withSlash(options.url));
  const deadline = performance.now() + options.startupTimeoutSeconds * 1000;
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  let delay = 200;
  let last = 'no answer yet';
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      const timeout = AbortSignal.timeout(5000);
      const res = await fetch(readyUrl, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (cause) {
      last = errorText(cause);
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new EscoInitError(
        'WEAVIATE_UNREACHABLE',
        `Weaviate at ${options.url} was not ready within ${options.startupTimeoutSeconds}s (${attempt} attempts, last: ${last}). Is it running and is WEAVIATE_URL right?`,
      );
    }
    if (attempt === 1 || attempt % 10 === 0) log.info({ url: readyUrl.href, last }, 'waiting for Weaviate to be ready');
    await sleep(Math.min(delay, left), signal);
    delay = Math.min(delay * 2, 2000);
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
