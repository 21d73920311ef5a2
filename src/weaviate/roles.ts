/**
 * The Weaviate roles esco-init and the search service run with (resources/weaviate-roles.yaml):
 * read and checked here, turned into Weaviate's role JSON (`POST /v1/authz/roles`), and applied
 * over REST, so that what `esco-init roles print` shows is byte for byte what `apply` sends.
 *
 * Weaviate 1.38 (checked against the real server): a role is a name and a list of permissions, one
 * action each; a pattern is a Go regular expression anchored at both ends (`*` becomes `.*`) that
 * must start with an upper-case letter. `POST /v1/authz/roles` answers 409 for an existing name,
 * so a changed role is brought to the file's permissions with add-permissions then
 * remove-permissions: the role (and who has it) never goes away, and a running esco-init never
 * loses a permission it keeps. Static API-key users are of type `db` for role assignment. A Weaviate
 * without RBAC answers the authz requests 200 (GET of a role: 404) and keeps nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config/config.ts';
import { EscoInitError } from '../errors.ts';
import { failureKind, statusOf } from './failure.ts';
import { type RestEndpoint, restRequest, restText } from './rest.ts';

export const DEFAULT_ROLES_FILE = path.join(PROJECT_ROOT, 'resources/weaviate-roles.yaml');

/** The users `roles apply` assigns the roles to, by default: role esco-init → user esco-init, …. */
export const DEFAULT_ROLE_USERS: Readonly<Record<string, string>> = {
  'esco-init': 'esco-init',
  'esco-search': 'esco-search',
};

const ACTIONS = {
  collections: ['create_collections', 'read_collections', 'update_collections', 'delete_collections'],
  data: ['create_data', 'read_data', 'update_data', 'delete_data'],
  aliases: ['create_aliases', 'read_aliases', 'update_aliases', 'delete_aliases'],
} as const;
type Domain = keyof typeof ACTIONS;
type Action = (typeof ACTIONS)[Domain][number];
const ALL_ACTIONS = Object.values(ACTIONS).flat() as [Action, ...Action[]];

export interface WeaviatePermission {
  action: Action;
  collections?: { collection: string };
  data?: { collection: string; tenant: string; object: string };
  aliases?: { collection: string; alias: string };
}

export interface WeaviateRole {
  name: string;
  permissions: WeaviatePermission[];
}

/** Weaviate's own check of a collection pattern (ClassNameRegexAllowRegex), and that it compiles. */
const COLLECTION_PATTERN = /^(\*|[A-Z][_0-9A-Za-z\-.*+?^$()|{}[\]\\]{0,254})$/;
const compiles = (pattern: string) => {
  try {
    new RegExp(pattern.replaceAll('*', '.*'));
    return true;
  } catch {
    return false;
  }
};
const collectionPattern = z
  .string()
  .regex(COLLECTION_PATTERN, 'a Weaviate collection pattern starts with an upper-case letter')
  .refine(compiles, 'not a valid regular expression');
const aliasPattern = z.string().min(1).max(256).refine(compiles, 'not a valid regular expression');

const PermissionSchema = z
  .strictObject({
    actions: z.array(z.enum(ALL_ACTIONS)).min(1),
    collection: collectionPattern,
    alias: aliasPattern.optional(),
  })
  .refine((p) => p.actions.every((a) => domainOf(a) === 'aliases') === (p.alias !== undefined), {
    message: 'alias goes with the alias actions, and only with them: give those a permission of their own',
  });

const RolesFileSchema = z.strictObject({
  /** YAML anchors for the patterns the roles share; not read otherwise. */
  patterns: z.record(z.string(), z.string()).optional(),
  roles: z.record(
    z.string().regex(/^[A-Za-z][-_0-9A-Za-z]{0,254}$/, 'a Weaviate role name'),
    z.strictObject({ description: z.string().optional(), permissions: z.array(PermissionSchema).min(1) }),
  ),
});

function domainOf(action: Action): Domain {
  return (Object.keys(ACTIONS) as Domain[]).find((d) => (ACTIONS[d] as readonly string[]).includes(action)) ?? 'data';
}

/** Reads and checks a roles file; CONFIG_INVALID says which entry is wrong. */
export function loadRoles(file = DEFAULT_ROLES_FILE): WeaviateRole[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new EscoInitError('CONFIG_INVALID', `cannot read the roles file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseRoles(text, file);
}

export function parseRoles(text: string, source: string): WeaviateRole[] {
  const parsed = RolesFileSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new EscoInitError('CONFIG_INVALID', `the roles file ${source} is invalid: ${where}`, {
      details: parsed.error.issues,
    });
  }
  return Object.entries(parsed.data.roles).map(([name, role]) => ({
    name,
    permissions: role.permissions.flatMap((p) => p.actions.map((action) => permissionOf(action, p))),
  }));
}

function permissionOf(action: Action, p: { collection: string; alias?: string | undefined }): WeaviatePermission {
  const collection = p.collection;
  switch (domainOf(action)) {
    case 'collections':
      return { action, collections: { collection } };
    case 'aliases':
      return { action, aliases: { collection, alias: p.alias ?? '*' } };
    default:
      return { action, data: { collection, tenant: '*', object: '*' } };
  }
}

/**
 * One permission as a string, for comparing the file's with what Weaviate reads back (which fills
 * in the defaults: tenant and object `*`).
 */
export function permissionKey(p: WeaviatePermission): string {
  const target = p.collections
    ? [p.collections.collection]
    : p.aliases
      ? [p.aliases.collection, p.aliases.alias]
      : [p.data?.collection ?? '*', p.data?.tenant ?? '*', p.data?.object ?? '*'];
  return JSON.stringify([p.action, ...target]);
}

export interface RoleChange {
  role: string;
  change: 'created' | 'updated' | 'unchanged';
  added: number;
  removed: number;
}

export interface Assignment {
  role: string;
  user: string;
  /** The user's other roles: with them it has more than the role grants. */
  otherRoles: string[];
}

/** Creates or updates each role, then assigns them (`users`: role name → user id). */
export async function applyRoles(
  rest: RestEndpoint,
  roles: readonly WeaviateRole[],
  users: Readonly<Record<string, string>>,
): Promise<{ roles: RoleChange[]; assignments: Assignment[] }> {
  const changes: RoleChange[] = [];
  for (const role of roles) changes.push(await applyRole(rest, role));
  const assignments: Assignment[] = [];
  for (const role of roles) {
    const user = users[role.name];
    if (user !== undefined) assignments.push(await assignRole(rest, role.name, user));
  }
  return { roles: changes, assignments };
}

async function applyRole(rest: RestEndpoint, role: WeaviateRole): Promise<RoleChange> {
  const current = await readRole(rest, role.name);
  if (!current) {
    await authz(rest, 'authz/roles', role, { step: 'create-role', what: `creating role ${role.name}` });
    // Without RBAC, Weaviate 1.38 answers every authz request 200 and keeps nothing.
    if (!(await readRole(rest, role.name))) {
      throw new EscoInitError(
        'CONFIG_INVALID',
        `Weaviate at ${rest.url} accepted role ${role.name} but does not keep it: it runs without RBAC. ` +
          'Start it with AUTHORIZATION_RBAC_ENABLED=true, AUTHENTICATION_APIKEY_ENABLED=true and a root user ' +
          '(AUTHORIZATION_RBAC_ROOT_USERS), anonymous access off.',
      );
    }
    return { role: role.name, change: 'created', added: role.permissions.length, removed: 0 };
  }
  const have = new Set(current.map(permissionKey));
  const want = new Set(role.permissions.map(permissionKey));
  const added = role.permissions.filter((p) => !have.has(permissionKey(p)));
  const removed = current.filter((p) => !want.has(permissionKey(p)));
  const id = encodeURIComponent(role.name);
  // Added first: a permission both versions grant is never missing, even for a moment.
  const updating: AuthzRequest = { step: 'update-role', what: `updating role ${role.name}` };
  if (added.length > 0) await authz(rest, `authz/roles/${id}/add-permissions`, { permissions: added }, updating);
  if (removed.length > 0) await authz(rest, `authz/roles/${id}/remove-permissions`, { permissions: removed }, updating);
  const change = added.length + removed.length > 0 ? 'updated' : 'unchanged';
  return { role: role.name, change, added: added.length, removed: removed.length };
}

async function readRole(rest: RestEndpoint, name: string): Promise<WeaviatePermission[] | null> {
  try {
    const body = (await restRequest(rest, `authz/roles/${encodeURIComponent(name)}`)) as {
      permissions?: WeaviatePermission[] | null;
    };
    return body.permissions ?? [];
  } catch (error) {
    if (failureKind(error) === 'not-found') return null;
    throw refused(error, { step: 'read-role', what: `reading role ${name}` });
  }
}

async function assignRole(rest: RestEndpoint, role: string, user: string): Promise<Assignment> {
  const id = encodeURIComponent(user);
  const assigning: AuthzRequest = { step: 'assign-role', what: `assigning role ${role} to ${user}` };
  await authz(rest, `authz/users/${id}/assign`, { roles: [role], userType: 'db' }, assigning);
  let held: { name: string }[];
  try {
    held = (await restRequest(rest, `authz/users/${id}/roles/db`)) as { name: string }[];
  } catch (error) {
    throw refused(error, { step: 'read-user-roles', what: `reading the roles of ${user}` });
  }
  return { role, user, otherRoles: held.map((r) => r.name).filter((name) => name !== role) };
}

/** A request to the authz API: the step decides what a refusal means, `what` words it for the operator. */
interface AuthzRequest {
  step: 'read-role' | 'create-role' | 'update-role' | 'assign-role' | 'read-user-roles';
  what: string;
}

async function authz(rest: RestEndpoint, path: string, body: unknown, request: AuthzRequest): Promise<void> {
  try {
    await restText(rest, path, { method: 'POST', body: JSON.stringify(body) });
  } catch (error) {
    throw refused(error, request);
  }
}

/** What a refused authz request means for the operator. */
function refused(error: unknown, { step, what }: AuthzRequest): EscoInitError {
  const status = statusOf(error);
  const said = (error as Error).message;
  if (status === 401 || status === 403) {
    return new EscoInitError(
      'CONFIG_INVALID',
      `${what}: Weaviate refused (HTTP ${status}): WEAVIATE_API_KEY must be the key of a root user ` +
        '(AUTHORIZATION_RBAC_ROOT_USERS) or of a user with the admin role, on a Weaviate with ' +
        `AUTHORIZATION_RBAC_ENABLED=true. ${said}`,
      { cause: error },
    );
  }
  if (status === 404 && step === 'assign-role') {
    return new EscoInitError(
      'CONFIG_INVALID',
      `${what}: Weaviate has no such user: add it to AUTHENTICATION_APIKEY_USERS (with a key in ` +
        `AUTHENTICATION_APIKEY_ALLOWED_KEYS), or name another with --init-user / --search-user. ${said}`,
      { cause: error },
    );
  }
  if (status === 422 || status === 400) {
    return new EscoInitError('CONFIG_INVALID', `${what}: Weaviate rejected the role: ${said}`, { cause: error });
  }
  return new EscoInitError('WRITE_FAILED', `${what}: ${said}`, { cause: error });
}
