/**
 * Rejected rows and dangling references: how they are recorded, limited by the row policy,
 * and worded. Row codes are stable strings (tests and `inspect --json` match on them).
 */
import { EscoInitError } from '../errors.ts';
import type { DanglingReference, DatasetReport, RejectedRow, RowPolicy } from './dataset.ts';

export type RowCode =
  | 'CSV_UNTERMINATED_QUOTE'
  | 'CSV_BAD_QUOTE'
  | 'CSV_RECORD_TOO_LARGE'
  | 'CSV_SYNTAX'
  | 'CSV_FIELD_COUNT'
  | 'EMPTY_FILE'
  | 'NO_RECORDS'
  | 'UNSUPPORTED_ENCODING'
  | 'INVALID_TEXT'
  | 'MISSING_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'MISSING_VALUE'
  | 'INVALID_ENUM'
  | 'INVALID_URI'
  | 'WRONG_SEPARATOR'
  | 'INVALID_DATE'
  | 'INVALID_VALUE'
  | 'HIERARCHY_GAP'
  | 'DUPLICATE_URI'
  | 'DUPLICATE_FILE'
  | 'FILE_UNREADABLE'
  | 'ZIP_INVALID';

export interface Rejection extends RejectedRow {
  code: RowCode;
}

const EXCERPT = 60;

export function excerpt(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const flat = JSON.stringify(value).slice(1, -1);
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

/** `skills_en.csv:12 skillType="foo": expected one of … [INVALID_ENUM]` */
export function describeRejection(r: RejectedRow): string {
  const where = r.line > 0 ? `${r.file}:${r.line}` : r.file;
  const column = r.column ? ` ${r.column}${r.value !== null ? `="${r.value}"` : ''}` : '';
  return `${where}${column}: ${r.reason} [${r.code}]`;
}

export function describeDangling(d: DanglingReference): string {
  return `${d.file}:${d.line} ${d.column} names ${d.uri}, which is not in the dataset`;
}

export function dataInvalid(rows: RejectedRow[], extra = ''): EscoInitError {
  const first = rows[0];
  const head = first ? describeRejection(first) : 'invalid ESCO data';
  const more = rows.length > 1 ? ` (and ${rows.length - 1} more rejected row${rows.length > 2 ? 's' : ''})` : '';
  return new EscoInitError('DATA_INVALID', `${head}${more}${extra}`, { details: { rejected: rows } });
}

/** Collects rejected rows and applies the policy: strict fails on the first, report past the limit. */
export class Rejections {
  readonly rows: RejectedRow[] = [];
  readonly byFile = new Map<string, number>();
  private readonly policy: RowPolicy;
  private readonly max: number;

  constructor(policy: RowPolicy, max: number) {
    this.policy = policy;
    this.max = max;
  }

  /** A bad row: skipped, or the end of the scan, depending on the policy. */
  add(row: Rejection): void {
    this.rows.push(row);
    this.byFile.set(row.file, (this.byFile.get(row.file) ?? 0) + 1);
    if (this.policy === 'strict') {
      throw dataInvalid(this.rows, '; fix the file, or use row policy "report" to skip bad rows');
    }
    if (this.rows.length > this.max) {
      throw dataInvalid(this.rows, `; more than ${this.max} rejected rows (raise maxRejectedRows to accept more)`);
    }
  }

  /** A problem that makes the rest of the file unreadable: fails under every policy. */
  fatal(row: Rejection): never {
    this.rows.push(row);
    this.byFile.set(row.file, (this.byFile.get(row.file) ?? 0) + 1);
    // The fatal row leads: it is why the scan stopped.
    throw dataInvalid([row, ...this.rows.slice(0, -1)]);
  }
}

const MAX_EXAMPLES = 100;

export class DanglingCounter {
  total = 0;
  readonly byFile: Record<string, number> = {};
  readonly examples: DanglingReference[] = [];

  add(ref: DanglingReference): void {
    this.total++;
    this.byFile[ref.file] = (this.byFile[ref.file] ?? 0) + 1;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(ref);
  }

  report(): DatasetReport['danglingReferences'] {
    return { total: this.total, byFile: { ...this.byFile }, examples: [...this.examples] };
  }
}
