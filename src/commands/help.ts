/**
 * Help texts: a command's is generated from its flag table, so a flag and its help line cannot
 * drift apart. Imports no runtime module: cli.ts prints the general help without loading any.
 */
import type { FlagTable } from './flags.ts';

/** The exit codes every command shares; a command with its own lists those instead. */
export const EXIT_CODE_HELP = `Exit codes:
  0    data complete (ingested, already complete, or another holder completed it)
  1    ingestion or verification failed
  2    bad input or configuration
  3    Weaviate unreachable within the startup timeout
  4    gave up waiting for another holder (--wait-timeout)
  5    the vectorizer's inference service did not answer (at start or mid-ingest)
  130  interrupted by SIGINT, 143 by SIGTERM`;

const WIDTH = 105;

export interface HelpSpec {
  /** What follows `Usage: `. */
  usage: string;
  /** The description, between the usage line and the options. */
  about: string;
  flags: FlagTable;
  /** The command's own `Exit codes: …`; else EXIT_CODE_HELP. */
  exitCodes?: string;
}

export function commandHelp(spec: HelpSpec): string {
  const options = optionsHelp(spec.flags);
  return `Usage: ${spec.usage}\n\n${spec.about}\n\nOptions:\n${options}\n\n${spec.exitCodes ?? EXIT_CODE_HELP}`;
}

/** The `Options:` lines: each flag with its placeholder, its help wrapped in a column. */
export function optionsHelp(table: FlagTable): string {
  const names = Object.entries(table).map(([name, spec]) => {
    const long = spec.value ? `--${name} ${spec.value}` : `--${name}`;
    return spec.short ? `${long}, -${spec.short}` : long;
  });
  const column = Math.max(...names.map((n) => n.length)) + 4;
  const lines = Object.values(table).flatMap((spec, i) => {
    const [first = '', ...rest] = wrap(spec.help, WIDTH - column);
    return [`  ${(names[i] ?? '').padEnd(column - 2)}${first}`, ...rest.map((l) => `${' '.repeat(column)}${l}`)];
  });
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
