/**
 * Who may call a route. The rule:
 * - A route needs one role: `reader` (search), `monitor` (metrics, status), or `admin`.
 * - A `reader` or `monitor` route is open while no key of its role is configured; once one is,
 *   it needs a key of that role or an `admin` key (admin passes everywhere).
 * - An `admin` route is never open: with no admin key configured it answers 403 (the lead does
 *   not attach admin routes then; this keeps a mistake in that wiring from opening them).
 * - `/healthz` is never guarded: it is not given this preHandler.
 * No key, another scheme or an unknown key: 401 with `WWW-Authenticate`. A valid key without the
 * role: 403 naming the role needed and the caller's. On an open route the Authorization header is
 * not read and the caller is null; on a guarded one `callerOf(request)` is the key's name and role.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { ApiRole } from '../config/config.ts';
import { type ApiKeys, bearerSecret, type Caller } from './api-keys.ts';

const CALLERS = new WeakMap<FastifyRequest, Caller>();

/** The caller `authorize` admitted, or null (open route, or a route without the guard). */
export function callerOf(request: FastifyRequest): Caller | null {
  return CALLERS.get(request) ?? null;
}

/** A preHandler that admits callers of `role` (or admin) by the rule above. */
export function authorize(keys: ApiKeys, role: ApiRole): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (role === 'admin' && !keys.configured('admin')) {
      return forbidden(reply, 'admin routes are disabled: no admin key is configured (ESCO_ADMIN_KEYS)');
    }
    if (!keys.configured(role)) return;
    const header = request.headers.authorization;
    if (header === undefined) {
      return unauthorized(reply, `this route needs an API key with role ${role}: send "Authorization: Bearer <key>"`);
    }
    if (bearerSecret(header) === null) {
      return unauthorized(reply, 'the Authorization header must be "Bearer <key>"');
    }
    const caller = keys.identify(header);
    if (caller === null) {
      return unauthorized(reply, `unknown API key: check it, or ask the operator for a key with role ${role}`);
    }
    if (caller.role !== role && caller.role !== 'admin') {
      const needed = role === 'admin' ? 'admin' : `${role} (or admin)`;
      return forbidden(reply, `API key "${caller.name}" has role ${caller.role}; this route needs role ${needed}`);
    }
    CALLERS.set(request, caller);
  };
}

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="esco-init"')
    .send({ error: 'unauthorized', message });
}

function forbidden(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(403).send({ error: 'forbidden', message });
}
