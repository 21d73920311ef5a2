/**
 * The streaming CSV reader: records, physical lines and errors, pinned by hand-written cases,
 * the same input cut at every byte offset, and csv-parse (the reader it replaced, still a dev
 * dependency for the e2e ground truth) as an oracle over tricky and random inputs.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { oldReaderOptions } from '../../bench/csv-parse-reader.ts';
import { CsvProblem, MAX_RECORD_CHARS, readCsv } from '../../src/esco/csv.ts';

type Row = [line: number, ...fields: string[]];
interface Outcome {
  rows: Row[];
  error?: { code: string; line: number };
}

async function read(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, onBytes = (_: Buffer) => {}): Promise<Outcome> {
  const rows: Row[] = [];
  try {
    for await (const { line, fields } of readCsv(Readable.from(chunks), onBytes)) rows.push([line, ...fields]);
  } catch (error) {
    if (!(error instanceof CsvProblem)) throw error;
    return { rows, error: { code: error.code, line: error.line } };
  }
  return { rows };
}

const readText = (text: string | Buffer) => read([Buffer.from(text)]);

/** What csv-parse made of the input with the options the old reader used, lines counted the same way. */
function oracle(input: Buffer): Outcome {
  const rows: Row[] = [];
  const { options, line } = oldReaderOptions(({ fields, line }) => rows.push([line, ...fields]));
  try {
    parse(input, options);
  } catch (error) {
    const code = ORACLE_CODES[(error as { code: string }).code] ?? `unexpected ${(error as Error).message}`;
    return { rows, error: { code, line: line() } };
  }
  return { rows };
}

const ORACLE_CODES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'CSV_UNTERMINATED_QUOTE',
  INVALID_OPENING_QUOTE: 'CSV_BAD_QUOTE',
  CSV_INVALID_CLOSING_QUOTE: 'CSV_BAD_QUOTE',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'CSV_BAD_QUOTE',
};

const TRICKY = [
  'h1,h2\r\n"a,b","say ""hi"""\r\n"multi\r\nline\nand\rmore",x\r\nlast,y\r\n',
  '\uFEFFconceptUri,label\n\n\r\nu1,"é ü 😀 €"\n\n,\n"",x\n""\nend',
  'a\rb,c\nd,e\n',
  'a,b\r',
  'a\r\r\nb\n',
  '"a"\r\n"b"\n"c"',
  'x,"😀""\r\n😀",\r\n',
  'ok\r\n"never closed\r\nstill,open',
  'ok\nab"c,d\n',
  'ok\n"a"b,c\n',
  '"a"\rb\n',
  '"a"\r',
  'ok\r\n"a\r\n" ,c\r\n',
];

describe('readCsv', () => {
  it.each([
    ['quoted delimiters and doubled quotes', 'a,"b,c","say ""hi"""\n', [[1, 'a', 'b,c', 'say "hi"']]],
    [
      'CRLF, LF and no final newline',
      'a\r\nb\nc',
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    ],
    [
      'CRLF, LF and lone CR inside quotes count one line each',
      '"1\r\n2\n3\r4",x\r\nnext\r\n',
      [
        [1, '1\r\n2\n3\r4', 'x'],
        [5, 'next'],
      ],
    ],
    [
      'lone CR outside quotes is field text (csv-parse did the same), still a line',
      'a\rb,c\nd\n',
      [
        [1, 'a\rb', 'c'],
        [3, 'd'],
      ],
    ],
    [
      'CR CR LF: the first CR is text',
      'a\r\r\nb\n',
      [
        [1, 'a\r'],
        [3, 'b'],
      ],
    ],
    ['a CR at the very end is text', 'a,b\r', [[1, 'a', 'b\r']]],
    [
      'blank lines and "" alone are skipped, lines still counted',
      '\n\r\n""\nx,\n,\n',
      [
        [4, 'x', ''],
        [5, '', ''],
      ],
    ],
    [
      'UTF-8 BOM dropped at the start only',
      '\uFEFFa\n\uFEFFb\n',
      [
        [1, 'a'],
        [2, '\uFEFFb'],
      ],
    ],
    [
      'any field count',
      'a\nb,c,d\n',
      [
        [1, 'a'],
        [2, 'b', 'c', 'd'],
      ],
    ],
    ['empty input', '', []],
  ] as [string, string, Row[]][])('%s', async (_name, text, rows) => {
    expect(await readText(text)).toEqual({ rows });
  });

  it.each([
    ['unterminated quote at EOF', 'h\r\nok\r\n"a\r\nb,c\r\n', 'CSV_UNTERMINATED_QUOTE', 3],
    ['quote inside an unquoted field', 'h\nab"c\n', 'CSV_BAD_QUOTE', 2],
    ['quote after leading space', 'h\n "a"\n', 'CSV_BAD_QUOTE', 2],
    ['text after a closing quote', 'h\n"a\nb"c\n', 'CSV_BAD_QUOTE', 2],
    ['space after a closing quote', 'h\n"a" ,b\n', 'CSV_BAD_QUOTE', 2],
    ['lone CR after a closing quote', 'h\n"a"\rb\n', 'CSV_BAD_QUOTE', 2],
    ['CR after a closing quote at EOF', 'h\n"a"\r', 'CSV_BAD_QUOTE', 2],
  ])('%s → %s at line %i', async (_name, text, code, line) => {
    expect((await readText(text)).error).toEqual({ code, line });
  });

  it('hands over the records before an error, then fails', async () => {
    expect(await readText('a\n"b"\n"c')).toEqual({
      rows: [
        [1, 'a'],
        [2, 'b'],
      ],
      error: { code: 'CSV_UNTERMINATED_QUOTE', line: 3 },
    });
  });

  it.each([
    ['LE', [0xff, 0xfe]],
    ['BE', [0xfe, 0xff]],
  ])('refuses UTF-16 %s, even with the BOM split over two chunks', async (_name, bom) => {
    const text = Buffer.from('\u0000a\u0000,\u0000b');
    const error = { code: 'UNSUPPORTED_ENCODING', line: 1 };
    expect((await read([Buffer.from(bom), text])).error).toEqual(error);
    expect((await read([Buffer.from(bom.slice(0, 1)), Buffer.from(bom.slice(1)), text])).error).toEqual(error);
  });

  it('turns invalid UTF-8 (also a truncated last character) into U+FFFD', async () => {
    const input = Buffer.concat([
      Buffer.from('a,'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('\nb,'),
      Buffer.from([0xe2, 0x82]),
    ]);
    expect((await read([input])).rows).toEqual([
      [1, 'a', '\uFFFD(\uFFFD'],
      [2, 'b', '\uFFFD'],
    ]);
  });

  it('shows every byte to onBytes, in order, BOM and invalid bytes included', async () => {
    const input = Buffer.concat([Buffer.from('\uFEFFa,"b\r\n'), Buffer.from([0xff, 0xc3]), Buffer.from('"\r\n')]);
    const seen: Buffer[] = [];
    await read(chunksOf(input, 3), (chunk) => seen.push(chunk));
    expect(Buffer.concat(seen).equals(input)).toBe(true);
  });

  it('gives the same result wherever the input is cut into chunks (one and two cuts)', async () => {
    for (const text of TRICKY) {
      const input = Buffer.from(text);
      const whole = await read([input]);
      for (let a = 0; a <= input.length; a++) {
        for (let b = a; b <= input.length; b += 3) {
          const parts = [input.subarray(0, a), input.subarray(a, b), input.subarray(b)];
          expect(await read(parts.filter((p) => p.length > 0)), `${JSON.stringify(text)} cut at ${a}, ${b}`).toEqual(
            whole,
          );
        }
      }
    }
  });

  it('matches csv-parse on tricky inputs', async () => {
    for (const text of TRICKY) {
      const input = Buffer.from(text);
      expect(await read([input]), JSON.stringify(text)).toEqual(oracle(input));
    }
  });

  it('matches csv-parse on 3000 random inputs, cut at a random byte', async () => {
    const alphabet = ['a', 'b', ',', ',', '"', '"', '\r', '\n', '\r\n', 'é', '😀', ' '];
    const random = mulberry32(42);
    for (let i = 0; i < 3000; i++) {
      let text = random() < 0.1 ? '\uFEFF' : '';
      for (let n = Math.floor(random() * 14); n > 0; n--) text += alphabet[Math.floor(random() * alphabet.length)];
      const input = Buffer.from(text);
      const cut = Math.floor(random() * (input.length + 1));
      const parts = [input.subarray(0, cut), input.subarray(cut)].filter((p) => p.length > 0);
      expect(await read(parts), JSON.stringify(text)).toEqual(oracle(input));
    }
  });

  it('accepts a record of exactly MAX_RECORD_CHARS and refuses one more character', async () => {
    const fits = `h\n${'x'.repeat(MAX_RECORD_CHARS - 1)},y\nnext\n`;
    const result = await read(chunksOf(Buffer.from(fits), 65536));
    expect(result.rows.map((r) => [r[0], r.length])).toEqual([
      [1, 2],
      [2, 3],
      [3, 2],
    ]);
    const tooLong = `h\n"a\n${'x'.repeat(MAX_RECORD_CHARS - 2)}","yz"\n`;
    expect((await readText(tooLong)).error).toEqual({ code: 'CSV_RECORD_TOO_LARGE', line: 2 });
  });

  it('stops an endless unterminated quote at the limit instead of buffering the stream', async () => {
    let sent = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from('h\r\nok\r\n"');
      const block = Buffer.alloc(65536, 'x');
      for (;;) {
        sent += block.length;
        yield block;
      }
    }
    expect((await read(endless())).error).toEqual({ code: 'CSV_RECORD_TOO_LARGE', line: 3 });
    expect(sent).toBeGreaterThan(MAX_RECORD_CHARS);
    expect(sent).toBeLessThan(MAX_RECORD_CHARS + 20 * 65536);
  });

  it('reports a read error as FILE_UNREADABLE at the record in progress', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('h\n"a\nb');
      throw new Error('disk gone');
    }
    const source = Readable.from(failing());
    const error = await consume(readCsv(source, () => {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvProblem);
    expect(error).toMatchObject({ code: 'FILE_UNREADABLE', line: 2, message: expect.stringContaining('disk gone') });
  });

  it('destroys the source when the consumer stops early', async () => {
    const source = Readable.from([Buffer.from('a\nb\nc\n')]);
    for await (const _ of readCsv(source, () => {})) break;
    expect(source.destroyed).toBe(true);
  });
});

async function consume(records: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of records);
}

function* chunksOf(input: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < input.length; at += size) yield input.subarray(at, at + size);
}

/** A small seeded PRNG, so the random inputs are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
