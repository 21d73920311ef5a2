import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { EscoInitError } from '../errors.ts';

/** Strict node:util parseArgs; a bad flag is a USAGE error (exit 2) pointing at the command's help. */
export function parseFlags<const O extends ParseArgsOptionsConfig>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (cause) {
    throw new EscoInitError('USAGE', `${command}: ${(cause as Error).message}; see esco-init ${command} --help`, {
      cause,
    });
  }
}
