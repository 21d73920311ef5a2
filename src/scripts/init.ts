/**
 * `esco-init init`, the container entrypoint (the Dockerfile's `CMD ["init"]`, through
 * src/cli.ts and src/commands/init.ts, which read the flags and the config): runs the init that
 * src/init/assembly.ts assembles from the real parts, and maps its outcome to the exit code.
 */
import { assembleAndRun, type InitOptions } from '../init/assembly.ts';

export type { InitOptions } from '../init/assembly.ts';

export async function runInit(options: InitOptions): Promise<number> {
  // Skipped, ingested, waited for, declined or planned (--dry-run): all succeed. A failure is
  // thrown, and src/cli.ts maps its code to the exit code (src/errors.ts: EXIT_CODES).
  await assembleAndRun(options);
  return 0;
}
