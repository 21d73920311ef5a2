/**
 * The operator API (`esco-init serve` with admin keys): start an ingestion and watch runs.
 *
 *   POST /admin/ingest        {"force": bool}, optional Idempotency-Key → 202 + Location (the run
 *                             record exists, state queued), 409 naming the active run, 503 +
 *                             Retry-After when Weaviate or the inference service is not ready
 *   GET  /admin/runs?limit=   the newest run records, newest first
 *   GET  /admin/runs/:id      one run: passes with timings, counts, error, live progress
 *
 * Every request to these routes, allowed or not, leaves one audit line: who, what, which run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { BadRequest, tryLater } from '../http-errors.ts';
import type { Observation } from '../lease/lock.ts';
import type { Logger } from '../log.ts';
import type { RunRecord, StatusStore } from '../status/status-store.ts';
import { type AdminRuns, holderOf, type Submission } from './runs.ts';

export interface AdminDeps {
  runs: AdminRuns;
  statusStore: StatusStore;
  lock: { observe(): Promise<Observation> };
  datasetKey: string;
  retryAfterSeconds: number;
  /** The auth guard for the admin role (and what else must hold first, e.g. Weaviate reachable). */
  guard: preHandlerAsyncHookHandler[];
  /** The caller's name for audit lines ('anonymous' when none). */
  callerName(request: FastifyRequest): string;
  log: Logger;
}

/** A POST body is a few bytes: anything larger is refused before it is parsed. */
export const ADMIN_BODY_LIMIT = 1024;

const IngestBodySchema = z.strictObject({ force: z.boolean().default(false) });
const IdempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII, 1-200 characters');
const ListQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const RunIdSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'a run id') });

/** The run an admin request concerned, for its audit line. */
const RUN_OF = new WeakMap<FastifyRequest, string>();

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.register(async (admin) => {
    // JSON only: fastify would hand a text/plain body to the route as a string (then a 400 that
    // blames the body's shape); without a parser for it, the answer is 415, as for any other type.
    admin.removeContentTypeParser('text/plain');
    admin.addHook('onResponse', async (request, reply) => audit(deps, request, reply.statusCode));
    for (const handler of deps.guard) admin.addHook('preHandler', handler);
    admin.post('/admin/ingest', { bodyLimit: ADMIN_BODY_LIMIT }, (request, reply) => ingest(deps, request, reply));
    admin.get('/admin/runs', (request, reply) => list(deps, request, reply));
    admin.get('/admin/runs/:id', (request, reply) => show(deps, request, reply));
  });
}

async function ingest(deps: AdminDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = parse(IngestBodySchema, request.body ?? {}, 'body');
  const header = request.headers['idempotency-key'];
  const idempotencyKey = header === undefined ? null : parse(IdempotencyKeySchema, header, 'Idempotency-Key');
  const by = deps.callerName(request);
  const submission = await deps.runs.submit({ force: body.force, by, idempotencyKey });
  return answer(deps, request, reply, submission, body.force);
}

function answer(deps: AdminDeps, request: FastifyRequest, reply: FastifyReply, s: Submission, force: boolean) {
  switch (s.kind) {
    case 'accepted': {
      RUN_OF.set(request, s.runId);
      const location = `/admin/runs/${s.runId}`;
      if (s.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(202).header('Location', location).send({ runId: s.runId, state: 'queued', force, location });
    }
    case 'conflict': {
      RUN_OF.set(request, s.active.runId);
      const { runId, source, host, pid } = s.active;
      const message = `a run is already active: ${runId} (${source}, ${host} pid ${pid}); watch it at /admin/runs/${runId}, or try again when it has ended`;
      return reply.code(409).send({ error: 'run_active', message, activeRun: s.active });
    }
    case 'key_reused': {
      RUN_OF.set(request, s.runId);
      const message = `this Idempotency-Key was used for run ${s.runId} with another body; use a new key for a new request`;
      return reply.code(422).send({ error: 'idempotency_key_reused', message, runId: s.runId });
    }
    case 'unavailable':
      return unavailable(deps, reply, `cannot start a run now: ${s.reason}`);
  }
}

async function list(deps: AdminDeps, request: FastifyRequest, reply: FastifyReply) {
  const { limit } = parse(ListQuerySchema, request.query, 'query');
  let runs: RunRecord[];
  try {
    runs = await deps.statusStore.listRuns(deps.datasetKey, limit);
  } catch (error) {
    return unavailable(deps, reply, `cannot read the run records in Weaviate: ${(error as Error).message}`);
  }
  return reply.send({ count: runs.length, runs: runs.map(summary) });
}

async function show(deps: AdminDeps, request: FastifyRequest, reply: FastifyReply) {
  const { id } = parse(RunIdSchema, request.params, 'id');
  RUN_OF.set(request, id);
  let run: RunRecord | null;
  let lease: Observation;
  try {
    [run, lease] = await Promise.all([deps.statusStore.readRun(id), deps.lock.observe()]);
  } catch (error) {
    return unavailable(deps, reply, `cannot read the run record in Weaviate: ${(error as Error).message}`);
  }
  if (!run) return reply.code(404).send({ error: 'not_found', message: `no run ${id} (GET /admin/runs lists them)` });
  return reply.send({ ...run, live: liveOf(run, lease, deps.runs.current) });
}

/** What only the lease knows about a run still going: where it is, and how long it has been silent. */
function liveOf(run: RunRecord, lease: Observation, ours: string | null) {
  if (run.state !== 'running' && run.state !== 'queued') return null;
  const holder = holderOf(lease);
  const holds = holder?.runId === run.runId;
  return {
    holdsLease: holds,
    epoch: holds ? lease.epoch : null,
    progress: holds ? holder.progress : null,
    silentSeconds: holds ? holder.silentSeconds : null,
    inThisService: ours === run.runId,
  };
}

function summary(run: RunRecord) {
  const { runId, state, decision, force, trigger, host, pid, epochs, startedAt, endedAt, ms, counts, error } = run;
  const passes = run.passes.map(({ name, status, ms }) => ({ name, status, ms }));
  return { runId, state, decision, force, trigger, host, pid, epochs, startedAt, endedAt, ms, counts, error, passes };
}

function unavailable(deps: AdminDeps, reply: FastifyReply, message: string) {
  return tryLater(reply, { error: 'unavailable', message, retryAfterSeconds: deps.retryAfterSeconds });
}

function audit(deps: AdminDeps, request: FastifyRequest, status: number): void {
  const who = deps.callerName(request);
  const what = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
  deps.log.info(
    { audit: { who, what, runId: RUN_OF.get(request) ?? null, status } },
    `admin: ${who} ${what} → ${status}`,
  );
}

/** A 400 that names the part of the request at fault (the error handler answers it). */
function parse<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.length ? i.path.join('.') : where,
    message: i.message,
  }));
  throw new BadRequest(issues);
}
