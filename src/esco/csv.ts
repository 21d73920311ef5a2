/**
 * RFC 4180 records from a byte stream (csv-parse), each with the physical line it starts on.
 * csv-parse's own line counter counts a CRLF inside a quoted field twice, so lines are counted
 * here: a record spans 1 + (line breaks inside its fields) lines.
 */
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { type CsvError, type Options, parse } from 'csv-parse';
import type { RowCode } from './problems.ts';

export interface CsvRecord {
  fields: string[];
  /** Physical line (1-based) of the record's first byte; the header is line 1. */
  line: number;
}

/** A problem that makes the rest of the file unreadable. */
export class CsvProblem extends Error {
  readonly code: RowCode;
  readonly line: number;
  constructor(code: RowCode, line: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.line = line;
  }
}

/** Big enough for conceptSchemes' ~627 KB hasTopConcept field, small enough to bound memory. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

const PARSE_OPTIONS = {
  bom: true,
  relax_column_count: true,
  record_delimiter: ['\r\n', '\n'],
  max_record_size: MAX_RECORD_CHARS,
};

/**
 * Yields the records of `source` (header included, blank lines skipped), handing every raw
 * byte to `onBytes` as it passes (for the fingerprint). Throws CsvProblem.
 */
export async function* readCsv(source: Readable, onBytes: (chunk: Buffer) => void): AsyncGenerator<CsvRecord> {
  // Lines are counted in on_record, which runs in parse order before anything is buffered: when
  // csv-parse fails, `nextLine` is exactly where the failing record starts.
  let nextLine = 1;
  const options: Options<CsvRecord, string[]> = {
    ...PARSE_OPTIONS,
    on_record: (fields) => {
      const line = nextLine;
      nextLine += 1 + lineBreaks(fields);
      return fields.length === 1 && fields[0] === '' ? null : { fields, line };
    },
  };
  // csv-parse types on_record only together with `columns`; we keep records as arrays.
  const parser = parse(options as unknown as Options);
  pipeline(source, new ByteTap(onBytes), parser, () => {
    // Errors surface through the parser's iterator below; nothing to do here.
  });
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (error) {
    throw asProblem(error, nextLine);
  } finally {
    parser.destroy();
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

/** Passes bytes through, shows them to `onBytes`, and refuses UTF-16 up front. */
class ByteTap extends Transform {
  private readonly onBytes: (chunk: Buffer) => void;
  private first = true;
  constructor(onBytes: (chunk: Buffer) => void) {
    super();
    this.onBytes = onBytes;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.first) {
      this.first = false;
      if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        done(new CsvProblem('UNSUPPORTED_ENCODING', 1, 'the file is UTF-16; save it as UTF-8 (as ESCO ships it)'));
        return;
      }
    }
    this.onBytes(chunk);
    done(null, chunk);
  }
}

function asProblem(error: unknown, line: number): CsvProblem {
  if (error instanceof CsvProblem) return error;
  const code = (error as Partial<CsvError>).code;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvProblem('CSV_UNTERMINATED_QUOTE', line, 'a quoted field is never closed', { cause: error });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE' as CsvError['code']:
      return new CsvProblem('CSV_BAD_QUOTE', line, `misplaced quote: ${(error as Error).message}`, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvProblem(
        'CSV_RECORD_TOO_LARGE',
        line,
        `record longer than ${MAX_RECORD_CHARS} characters (an unterminated quote?)`,
        { cause: error },
      );
    default:
      if (typeof code === 'string' && code.startsWith('CSV_')) {
        return new CsvProblem('CSV_SYNTAX', line, (error as Error).message, { cause: error });
      }
      return new CsvProblem('FILE_UNREADABLE', line, `cannot read the file: ${(error as Error).message}`, {
        cause: error,
      });
  }
}
