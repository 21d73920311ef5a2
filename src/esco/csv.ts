/**
 * RFC 4180 records from a byte stream, each with the physical line it starts on. Our own reader
 * because csv-parse's byte-at-a-time state machine was the largest CPU cost of a full ESCO read:
 * this one decodes each chunk once and jumps between quotes, commas and line feeds with indexOf
 * (`npm run bench:read`: the whole v1.1.1 read 1.9–2× faster than with csv-parse, docs/performance.md).
 * It keeps csv-parse's behaviour under {bom, relax_column_count, record_delimiter: CRLF or LF}:
 * a lone CR is field text, and a quote inside an unquoted field or text after a closing quote is
 * an error.
 */
import type { Readable } from 'node:stream';
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

/**
 * Yields the records of `source` (header included, blank lines skipped), handing every raw
 * byte to `onBytes` as it passes (for the fingerprint). Throws CsvProblem.
 */
export async function* readCsv(source: Readable, onBytes: (chunk: Buffer) => void): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw new CsvProblem('FILE_UNREADABLE', parser.line, `cannot read the file: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (next.done) parser.end();
      else parser.write(next.value, onBytes);
      // Records of one chunk are parsed in one go (cheap) and handed out before its error, if any.
      const records = parser.records;
      parser.records = [];
      for (const record of records) yield record;
      if (parser.problem) throw parser.problem;
      if (next.done) return;
    }
  } finally {
    source.destroy(); // the consumer may stop early; a zip entry holds a file descriptor
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

// Parser states: where the next character falls.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Just after a quote inside a quoted field: `""` (a quote) or the end of the field. */
const AFTER_QUOTE = 3;

/** Position of `ch` at or after `from` (s.length if none); `known` is reused while still ahead. */
function after(s: string, ch: string, from: number, known: number): number {
  if (known >= from) return known;
  const at = s.indexOf(ch, from);
  return at === -1 ? s.length : at;
}

class CsvParser {
  records: CsvRecord[] = [];
  problem: CsvProblem | null = null;
  /** Physical line where the record being read starts. */
  line = 1;
  // Streaming: a character split between chunks comes out whole; drops a UTF-8 BOM at the start.
  private readonly decoder = new TextDecoder('utf-8');
  private head: Buffer | null = Buffer.alloc(0); // first bytes, until the UTF-16 check is done
  private heldCr = ''; // a CR ending a chunk waits for the next one, so CRLF is always seen whole
  private state = FIELD_START;
  private fields: string[] = [];
  /** The current field's text from earlier chunks or `""` escapes. */
  private field = '';
  private fieldMayBreak = false;
  private recordChars = 0;
  private recordBreaks = 0;
  // The current text and the next positions of the characters we look for, cached so every
  // indexOf scans a stretch of text once (linear per chunk however many fields it holds).
  private s = '';
  private q = -1;
  private c = -1;
  private n = -1;
  private r = -1;

  write(chunk: Buffer, onBytes: (chunk: Buffer) => void): void {
    if (this.head && this.isUtf16(chunk)) {
      const reason = 'the file is UTF-16; save it as UTF-8 (as ESCO ships it)';
      this.problem = new CsvProblem('UNSUPPORTED_ENCODING', 1, reason);
      return;
    }
    onBytes(chunk);
    this.parse(this.decoder.decode(chunk, { stream: true }), false);
  }

  /** Looks at the stream's first two bytes, which may come in two chunks. */
  private isUtf16(chunk: Buffer): boolean {
    const head = Buffer.concat([this.head ?? Buffer.alloc(0), chunk.subarray(0, 2)]).subarray(0, 2);
    this.head = head.length < 2 ? head : null;
    return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  }

  end(): void {
    this.parse(this.decoder.decode(), true);
  }

  private parse(decoded: string, last: boolean): void {
    let text = this.heldCr + decoded;
    this.heldCr = '';
    if (!last && text.charCodeAt(text.length - 1) === CR) {
      this.heldCr = '\r';
      text = text.slice(0, -1);
    }
    try {
      this.scan(text);
      if (last) this.finish();
    } catch (error) {
      if (!(error instanceof CsvProblem)) throw error;
      this.problem = error;
    }
  }

  private scan(s: string): void {
    this.s = s;
    this.q = this.c = this.n = this.r = -1;
    let i = 0;
    while (i < s.length) {
      if (this.state === UNQUOTED) i = this.unquoted(i);
      else if (this.state === QUOTED) i = this.quoted(i);
      else if (this.state === AFTER_QUOTE) i = this.afterQuote(i);
      else if (s.charCodeAt(i) === QUOTE) {
        this.state = QUOTED;
        i++;
      } else this.state = UNQUOTED;
    }
  }

  private unquoted(i: number): number {
    const s = this.s;
    this.c = after(s, ',', i, this.c);
    this.n = after(s, '\n', i, this.n);
    this.q = after(s, '"', i, this.q);
    const stop = Math.min(this.c, this.n);
    if (this.q < stop) throw this.fail('CSV_BAD_QUOTE', 'a quote inside an unquoted field (quote the whole field)');
    const lf = stop === this.n && stop < s.length;
    // A CR right before the LF belongs to the record delimiter; any other CR is field text.
    const end = lf && stop > i && s.charCodeAt(stop - 1) === CR ? stop - 1 : stop;
    this.append(i, end);
    if (stop === s.length) return stop;
    this.endField();
    if (lf) this.endRecord();
    return stop + 1;
  }

  private quoted(i: number): number {
    this.q = after(this.s, '"', i, this.q);
    this.append(i, this.q);
    if (this.q === this.s.length) return this.q;
    this.state = AFTER_QUOTE;
    return this.q + 1;
  }

  private afterQuote(i: number): number {
    const s = this.s;
    const ch = s.charCodeAt(i);
    if (ch === QUOTE) {
      this.field += '"';
      this.state = QUOTED;
      return i + 1;
    }
    const crlf = ch === CR && s.charCodeAt(i + 1) === LF;
    if (ch !== COMMA && ch !== LF && !crlf) {
      throw this.fail('CSV_BAD_QUOTE', 'text after a closing quote (double the quotes inside a quoted field)');
    }
    this.endField();
    if (ch === COMMA) return i + 1;
    this.endRecord();
    return crlf ? i + 2 : i + 1;
  }

  /** Adds s[from, to) to the current field; fails as soon as the record outgrows the limit. */
  private append(from: number, to: number): void {
    this.n = after(this.s, '\n', from, this.n);
    this.r = after(this.s, '\r', from, this.r);
    if (this.n < to || this.r < to) this.fieldMayBreak = true;
    this.field += this.s.slice(from, to);
    if (this.recordChars + this.field.length > MAX_RECORD_CHARS) {
      throw this.fail(
        'CSV_RECORD_TOO_LARGE',
        `record longer than ${MAX_RECORD_CHARS} characters (an unterminated quote?)`,
      );
    }
  }

  private endField(): void {
    const value = this.field;
    if (this.fieldMayBreak) this.recordBreaks += value.match(/\r\n|\r|\n/g)?.length ?? 0;
    this.fields.push(value);
    this.recordChars += value.length;
    this.field = '';
    this.fieldMayBreak = false;
    this.state = FIELD_START;
  }

  private endRecord(): void {
    const fields = this.fields;
    if (fields.length !== 1 || fields[0] !== '') this.records.push({ fields, line: this.line });
    this.line += 1 + this.recordBreaks;
    this.fields = [];
    this.recordChars = 0;
    this.recordBreaks = 0;
  }

  private finish(): void {
    if (this.state === QUOTED) throw this.fail('CSV_UNTERMINATED_QUOTE', 'a quoted field is never closed');
    if (this.state !== FIELD_START || this.fields.length > 0) {
      this.endField();
      this.endRecord();
    }
  }

  private fail(code: RowCode, reason: string): CsvProblem {
    const where = code === 'CSV_BAD_QUOTE' ? `misplaced quote in field ${this.fields.length + 1}: ` : '';
    return new CsvProblem(code, this.line, `${where}${reason}`);
  }
}
