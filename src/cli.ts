#!/usr/bin/env -S node --max-semi-space-size=4 --no-allocation-site-pretenuring --heap-growing-percent=30
/**
 * esco-init command line: dispatches to src/commands/*, turns thrown errors into the documented
 * exit codes, and turns SIGINT/SIGTERM into an abort signal the commands honour at batch boundaries.
 *
 * The V8 flags on the first line keep an ingestion's peak RSS near its live data (ESCO v1.1.1,
 * cold, `npm run bench`: about 205 MB instead of 250–300 MB, at no measurable cost in time).
 * V8 otherwise lets the old space grow to several times what survives a full GC before it collects
 * again (a parse of 300k short-lived rows and thousands of batch requests is mostly garbage), and
 * keeps the pages it then frees resident; a small young generation lets more of that garbage die
 * young, and pretenuring learnt from the concept files would send it straight to the old space.
 * They are command-line flags because NODE_OPTIONS refuses two of them; bench/ingest.ts runs the
 * bin with them.
 */
import { realpathSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CommandEntry, CommandIO } from './commands/command.ts';
import { EXIT_CODE_HELP } from './commands/help.ts';
import { EscoInitError, EXIT_CODES, exitCodeOf } from './errors.ts';
import { VERSION } from './version.ts';

const COMMANDS: CommandEntry[] = [
  {
    name: 'init',
    summary: 'ingest ESCO into Weaviate once (skip if complete, wait if another process is at it)',
    load: () => import('./commands/init.ts'),
  },
  {
    name: 'status',
    summary: 'show the ingestion state, the lease holder and the last runs',
    load: () => import('./commands/status.ts'),
  },
  {
    name: 'validate',
    summary: 'check that Weaviate holds exactly the dataset (status, counts, references, queries)',
    load: () => import('./commands/validate.ts'),
  },
  {
    name: 'unlock',
    summary: 'free the ingestion lease (fences a stuck holder; --if-stale: only a silent one)',
    load: () => import('./commands/unlock.ts'),
  },
  {
    name: 'rollback',
    summary: 'publish the previous complete generation again (rolls forward when run twice)',
    load: () => import('./commands/rollback.ts'),
  },
  {
    name: 'roles',
    summary: 'print or apply the Weaviate roles esco-init and the search service run with (RBAC)',
    load: () => import('./commands/roles.ts'),
  },
  {
    name: 'inspect',
    summary: 'check an ESCO dataset: files, counts, rejected rows, dangling references, fingerprint',
    load: () => import('./commands/inspect.ts'),
  },
  {
    name: 'ingest',
    summary: 'ingest an ESCO dataset once (no lock, no status tracking) and print what changed',
    load: () => import('./commands/ingest.ts'),
  },
  {
    name: 'serve',
    summary: 'serve search over the ingested ESCO data (HTTP)',
    load: () => import('./commands/serve.ts'),
  },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `esco-init ${VERSION}: bootstraps Weaviate with the ESCO classification

Usage: esco-init [command] [options]      (default command: init)

Commands:
${lines.join('\n')}

Run 'esco-init <command> --help' for a command's options.

${EXIT_CODE_HELP}
`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  const named = COMMANDS.find((c) => c.name === first);
  const entry = named ?? COMMANDS.find((c) => c.name === 'init');
  const args = named ? rest : argv;
  if (!entry || (!named && first !== undefined && !first.startsWith('-'))) {
    io.stderr.write(`esco-init: unknown command "${first}"\n\n${usage()}`);
    return EXIT_CODES.USAGE;
  }
  try {
    const { command } = await entry.load();
    return await command.run(args, io);
  } catch (error) {
    reportFailure(error, io);
    return exitCodeOf(error);
  }
}

function reportFailure(error: unknown, io: CommandIO): void {
  if (error instanceof EscoInitError) {
    io.stderr.write(`esco-init: ${error.code}: ${error.message}\n`);
  } else {
    io.stderr.write(`esco-init: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  }
}

/** Aborts on the first SIGINT/SIGTERM; a second one exits at once. */
function signalController(): AbortController {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
      controller.abort(sig);
    });
  }
  return controller;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (invokedDirectly()) {
  // V8's code cache for our modules and the dependencies they import (in os.tmpdir(), or
  // NODE_COMPILE_CACHE): a later start in the same container or on the same host loads ~0.1 s
  // faster. Never fails: a directory it cannot use only leaves the cache off.
  enableCompileCache();
  const { signal } = signalController();
  const io: CommandIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    signal,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
