/**
 * `esco-init roles print | apply`: the Weaviate roles esco-init and the search service run with
 * (resources/weaviate-roles.yaml, src/weaviate/roles.ts), shown as Weaviate's role JSON or applied
 * to a Weaviate with RBAC.
 */
import { EscoInitError, EXIT_CODES } from '../errors.ts';
import type { Logger } from '../log.ts';
import { waitForReady } from '../weaviate/client.ts';
import { restEndpoint } from '../weaviate/rest.ts';
import { type Assignment, applyRoles, DEFAULT_ROLE_USERS, loadRoles, type RoleChange } from '../weaviate/roles.ts';
import { type Command, type CommandIO, defineCommand } from './command.ts';
import { CONFIG_FILE, type FlagSpec, PROFILE, WEAVIATE_URL } from './flags.ts';
import { commandHelp } from './help.ts';

const FILE = {
  type: 'string',
  value: '<path>',
  path: true,
  help: 'the roles file (default: resources/weaviate-roles.yaml, shipped with esco-init)',
} as const satisfies FlagSpec;

const ROLES_EXIT_CODES = `Exit codes: 0 printed / applied, 1 a request failed, 2 bad usage, an invalid roles file, a key
that cannot manage roles (not a root or admin user's) or an unknown user, 3 Weaviate unreachable.`;

const print = defineCommand({
  name: 'roles print',
  usage: 'esco-init roles print [--file <path>]',
  about: `Prints the roles as Weaviate's role JSON (a list of { name, permissions }: the bodies of
POST /v1/authz/roles). Needs no Weaviate.`,
  flags: { file: FILE },
  exitCodes: ROLES_EXIT_CODES,
  async run({ flags, io }) {
    io.stdout.write(`${JSON.stringify(loadRoles(flags.file), null, 2)}\n`);
    return 0;
  },
});

const apply = defineCommand({
  name: 'roles apply',
  usage: 'esco-init roles apply [--init-user <id>] [--search-user <id>] [--file <path>] [options]',
  about: `Creates the roles in Weaviate, or brings existing ones to the file's permissions (running it
again changes nothing), then assigns role esco-init to the init user and role esco-search to the
search user (static API-key users: AUTHENTICATION_APIKEY_USERS). WEAVIATE_API_KEY must be the key of
a root user (AUTHORIZATION_RBAC_ROOT_USERS) or of a user with the admin role; the users keep any
other role they have (a warning names it: with it they can do more than their role grants).`,
  flags: {
    'init-user': { type: 'string', value: '<id>', default: 'esco-init', help: 'the user esco-init runs as' },
    'search-user': {
      type: 'string',
      value: '<id>',
      default: 'esco-search',
      help: 'the user the search service runs as',
    },
    file: FILE,
    url: WEAVIATE_URL,
    profile: PROFILE,
    config: CONFIG_FILE,
  },
  exitCodes: ROLES_EXIT_CODES,
  logLevel: 'warn',
  async run({ flags, config, io, logger }) {
    const roles = loadRoles(flags.file);
    const users = {
      ...DEFAULT_ROLE_USERS,
      'esco-init': flags['init-user'] ?? 'esco-init',
      'esco-search': flags['search-user'] ?? 'esco-search',
    };
    const log: Logger = await logger();
    await waitForReady(config.weaviate, log, io.signal);
    const outcome = await applyRoles(restEndpoint(config.weaviate), roles, users);
    io.stdout.write(render(outcome.roles, outcome.assignments));
    for (const a of outcome.assignments.filter((a) => a.otherRoles.length > 0)) {
      io.stderr.write(
        `esco-init: warning: user ${a.user} also has role(s) ${a.otherRoles.join(', ')}: it can do more than ${a.role} grants (POST /v1/authz/users/${a.user}/revoke)\n`,
      );
    }
    return 0;
  },
});

function render(roles: RoleChange[], assignments: Assignment[]): string {
  const lines = roles.map((r) => {
    const detail = r.change === 'updated' ? ` (${r.added} permissions added, ${r.removed} removed)` : '';
    return `role ${r.role}: ${r.change}${detail}`;
  });
  for (const a of assignments) lines.push(`user ${a.user}: has role ${a.role}`);
  return `${lines.join('\n')}\n`;
}

const SUBCOMMANDS: Record<string, Command> = { print, apply };

const help = `${commandHelp({
  usage: 'esco-init roles print | apply [options]',
  about: `The Weaviate roles esco-init (role esco-init: the ESCO collections, their generations and
aliases, Metadata) and the search service (role esco-search: read only) run with, from
resources/weaviate-roles.yaml. 'esco-init roles <print|apply> --help' for each.`,
  flags: { ...print.flags, ...apply.flags },
  exitCodes: ROLES_EXIT_CODES,
})}`;

export const command: Command = {
  help,
  flags: {},
  async run(argv: string[], io: CommandIO) {
    const [name, ...rest] = argv;
    const sub = name === undefined ? undefined : SUBCOMMANDS[name];
    if (sub) return sub.run(rest, io);
    if (name === '--help' || name === '-h' || name === undefined) {
      io.stdout.write(`${help}\n`);
      return name === undefined ? EXIT_CODES.USAGE : 0;
    }
    throw new EscoInitError(
      'USAGE',
      `roles: unknown subcommand "${name}"; use print or apply (esco-init roles --help)`,
    );
  },
};
