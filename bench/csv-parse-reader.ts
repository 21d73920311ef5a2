/**
 * readCsv on csv-parse's streaming parser, with src/esco/csv.ts's contract (same exports, records,
 * lines and CsvProblem codes), for bench/read.ts to run the real scan over either parser.
 * Records are taken in on_record (nothing goes through the parser's object-mode readable side),
 * so each chunk is parsed synchronously on write, as src/esco/csv.ts does.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type CsvError, type Options, parse } from 'csv-parse';
import { CsvProblem, type CsvRecord, MAX_RECORD_CHARS } from '../src/esco/csv.ts';

export { CsvProblem, type CsvRecord, MAX_RECORD_CHARS };

/**
 * The options the reader used when it ran on csv-parse, with lines counted as records are parsed:
 * `onRecord` gets every non-empty record and the line it starts on; `line()` is where the next
 * record starts (where the failing one starts, when csv-parse fails). The tests' oracle uses it too.
 */
export function oldReaderOptions(onRecord: (record: CsvRecord) => void): { options: Options; line: () => number } {
  let nextLine = 1;
  const options = {
    bom: true,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: MAX_RECORD_CHARS,
    on_record: (fields: string[]) => {
      const line = nextLine;
      nextLine += 1 + lineBreaks(fields);
      if (fields.length !== 1 || fields[0] !== '') onRecord({ fields, line });
      return null;
    },
  };
  // csv-parse types on_record only together with `columns`; records stay arrays here.
  return { options: options as unknown as Options, line: () => nextLine };
}

export async function* readCsv(source: Readable, onBytes: (chunk: Buffer) => void): AsyncGenerator<CsvRecord> {
  let records: CsvRecord[] = [];
  const { options, line } = oldReaderOptions((record) => records.push(record));
  const parser = parse(options);
  const take = (): CsvRecord[] => {
    const taken = records;
    records = [];
    return taken;
  };
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer | null = Buffer.alloc(0);
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw new CsvProblem('FILE_UNREADABLE', line(), `cannot read the file: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (next.done) {
        parser.end();
        await finished(parser, { readable: false }).catch(() => {});
      } else {
        head = head && Buffer.concat([head, next.value.subarray(0, 2)]);
        if (head && head.length >= 2) {
          if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
            throw new CsvProblem('UNSUPPORTED_ENCODING', 1, 'the file is UTF-16; save it as UTF-8 (as ESCO ships it)');
          }
          head = null;
        }
        onBytes(next.value);
        parser.write(next.value);
      }
      yield* take();
      if (parser.errored) throw asProblem(parser.errored, line());
      if (next.done) return;
    }
  } finally {
    parser.destroy();
    source.destroy();
  }
}

function lineBreaks(fields: string[]): number {
  let n = 0;
  for (const field of fields) {
    if (field.indexOf('\n') === -1 && field.indexOf('\r') === -1) continue;
    n += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

function asProblem(error: Error, line: number): CsvProblem {
  switch ((error as Partial<CsvError>).code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvProblem('CSV_UNTERMINATED_QUOTE', line, 'a quoted field is never closed', { cause: error });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE' as CsvError['code']:
      return new CsvProblem('CSV_BAD_QUOTE', line, `misplaced quote: ${error.message}`, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvProblem(
        'CSV_RECORD_TOO_LARGE',
        line,
        `record longer than ${MAX_RECORD_CHARS} characters (an unterminated quote?)`,
        { cause: error },
      );
    default:
      return new CsvProblem('CSV_SYNTAX', line, error.message, { cause: error });
  }
}
