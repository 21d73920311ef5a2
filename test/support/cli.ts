/** Runs `esco-init <argv>` in this process through the CLI dispatcher, capturing its output. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli.ts';
import type { CommandIO } from '../../src/commands/command.ts';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

/** The same, with these environment variables. */
export async function cliWith(
  env: Record<string, string>,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const text = { out: '', err: '' };
  const sink = (key: 'out' | 'err') =>
    new Writable({
      write(chunk, _enc, done) {
        text[key] += String(chunk);
        done();
      },
    });
  const io: CommandIO = {
    stdout: sink('out'),
    stderr: sink('err'),
    stdinIsTTY: false,
    env,
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, ...text };
}
