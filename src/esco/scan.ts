/**
 * One pass over the discovered files, concepts before relations: parse, validate, de-duplicate,
 * check relation ends against the concepts read, hand records to the handlers, hash the bytes.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { EscoInitError, isEscoInitError } from '../errors.ts';
import { CsvProblem, readCsv } from './csv.ts';
import type { DatasetReport, FileKind, ReadOptions, RecordHandlers, RecordLocation } from './dataset.ts';
import type { DatasetSource } from './discovery.ts';
import { REQUIRED_KINDS } from './files.ts';
import { combineDigests, type FileDigest } from './fingerprint.ts';
import { DanglingCounter, excerpt, Rejections, type RowCode } from './problems.ts';
import type { BroaderType, EscoRecord } from './records.ts';
import { ROW_SPECS, type RowSpec } from './rows.ts';
import { UriSet } from './uri-set.ts';

type ConceptKind = 'skills' | 'occupations' | 'iscoGroups' | 'skillGroups';
const CONCEPT_OF_TYPE: Record<BroaderType, ConceptKind> = {
  KnowledgeSkillCompetence: 'skills',
  Occupation: 'occupations',
  ISCOGroup: 'iscoGroups',
  SkillGroup: 'skillGroups',
};

interface ScanState {
  rejections: Rejections;
  dangling: DanglingCounter;
  /** URIs of the valid concepts read so far, for duplicate and dangling-reference checks. */
  known: Record<ConceptKind, UriSet>;
  handlers: RecordHandlers;
}

export async function scanSources(
  sources: readonly DatasetSource[],
  missingOptional: readonly string[],
  options: ReadOptions,
  handlers: RecordHandlers,
): Promise<DatasetReport> {
  const state: ScanState = {
    rejections: new Rejections(options.policy, options.maxRejected),
    dangling: new DanglingCounter(),
    known: { skills: new UriSet(), occupations: new UriSet(), iscoGroups: new UriSet(), skillGroups: new UriSet() },
    handlers,
  };
  const files: DatasetReport['files'] = [];
  const digests: FileDigest[] = [];
  const progress = { records: 0 };
  for (const source of sources) {
    progress.records = 0;
    try {
      const sha256 = await scanFile(source, state, progress);
      digests.push({ name: source.name, sha256 });
    } catch (error) {
      files.push(fileCounts(source, progress.records, state));
      throw withPartialCounts(error, files);
    }
    files.push(fileCounts(source, progress.records, state));
  }
  return {
    files,
    missingOptional: [...missingOptional],
    rejected: state.rejections.rows,
    danglingReferences: state.dangling.report(),
    fingerprint: combineDigests(digests),
  };
}

function fileCounts(source: DatasetSource, records: number, state: ScanState): DatasetReport['files'][number] {
  return { name: source.name, kind: source.kind, records, rejected: state.rejections.byFile.get(source.name) ?? 0 };
}

/** A failed scan still tells `inspect` how far it got: counts up to the failing file. */
function withPartialCounts(error: unknown, files: DatasetReport['files']): unknown {
  if (!isEscoInitError(error, 'DATA_INVALID')) return error;
  const details = { ...(error.details as object), files };
  return new EscoInitError(error.code, error.message, { cause: error.cause, details });
}

interface Header {
  /** Column name → field index. */
  index: Map<string, number>;
  width: number;
}

async function scanFile(source: DatasetSource, state: ScanState, progress: { records: number }): Promise<string> {
  const spec = ROW_SPECS[source.kind] as RowSpec<EscoRecord>;
  const hash = createHash('sha256');
  // Concept files de-duplicate against the dangling-check index itself: one entry per URI.
  const ids = spec.idColumn ? (isConceptKind(source.kind) ? state.known[source.kind] : new UriSet()) : null;
  let header: Header | null = null;
  const stream = await source.open();
  try {
    for await (const { fields, line } of readCsv(stream, (chunk) => hash.update(chunk))) {
      if (!header) {
        header = readHeader(fields, source, spec, state.rejections);
        continue;
      }
      const record = parseRow(fields, line, header, source, spec, state.rejections);
      if (!record || isDuplicate(record, line, ids, source, spec, state.rejections)) continue;
      progress.records++;
      if (record.kind === 'collectionMember') record.collection = source.collection ?? '';
      if (isDangling(record, source, line, state)) continue;
      const at: RecordLocation = { file: source.name, line };
      const handled = (state.handlers[source.kind] as ((r: EscoRecord, at: RecordLocation) => unknown) | undefined)?.(
        record,
        at,
      );
      // Await only real promises: a synchronous handler costs no microtask per record.
      if (typeof (handled as PromiseLike<unknown> | undefined)?.then === 'function') await handled;
    }
  } catch (error) {
    if (!(error instanceof CsvProblem)) throw error;
    fileProblem(source, error.line, error.code, error.message, state);
  }
  if (!header) fileProblem(source, 1, 'EMPTY_FILE', 'the file is empty: expected a header and records', state);
  if (progress.records === 0 && REQUIRED_KINDS.includes(source.kind)) {
    fileProblem(source, 1, 'NO_RECORDS', 'the file has no valid records', state);
  }
  return hash.digest('hex');
}

function fileProblem(source: DatasetSource, line: number, code: RowCode, reason: string, state: ScanState): never {
  return state.rejections.fatal({ file: source.name, line, column: null, value: null, code, reason });
}

function readHeader(fields: string[], source: DatasetSource, spec: RowSpec, rejections: Rejections): Header {
  const index = new Map<string, number>();
  fields.forEach((raw, i) => {
    const name = raw.replace(/^\ufeff/, '').trim();
    if (index.has(name) && spec.columns.includes(name)) {
      const reason = `column "${name}" appears twice in the header`;
      rejections.fatal({ file: source.name, line: 1, column: name, value: null, code: 'DUPLICATE_COLUMN', reason });
    }
    if (!index.has(name)) index.set(name, i);
  });
  for (const column of spec.required) {
    if (index.has(column)) continue;
    const reason = `required column "${column}" is missing (header: ${excerpt(fields.join(','))})`;
    rejections.fatal({ file: source.name, line: 1, column, value: null, code: 'MISSING_COLUMN', reason });
  }
  return { index, width: fields.length };
}

function parseRow(
  fields: string[],
  line: number,
  header: Header,
  source: DatasetSource,
  spec: RowSpec<EscoRecord>,
  rejections: Rejections,
): EscoRecord | null {
  const reject = (code: RowCode, column: string | null, value: string | null, reason: string): null => {
    rejections.add({ file: source.name, line, column, value: excerpt(value), code, reason });
    return null;
  };
  if (fields.length > header.width || (fields.length < header.width && !spec.ragged)) {
    return reject('CSV_FIELD_COUNT', null, null, `expected ${header.width} fields, found ${fields.length}`);
  }
  const row: Record<string, string> = {};
  for (const column of spec.columns) {
    const i = header.index.get(column);
    const value = i === undefined ? '' : (fields[i] ?? '');
    if (value.includes('\ufffd') || value.includes('\u0000')) {
      return reject('INVALID_TEXT', column, value, 'not UTF-8 text (binary data or a wrong encoding)');
    }
    row[column] = value;
  }
  const parsed = spec.schema.safeParse(row);
  if (parsed.success) return parsed.data;
  return rejectIssues(parsed.error.issues, row, reject);
}

function rejectIssues(
  issues: z.core.$ZodIssue[],
  row: Record<string, string>,
  reject: (code: RowCode, column: string | null, value: string | null, reason: string) => null,
): null {
  const issue = issues[0] as z.core.$ZodIssue;
  const column = typeof issue.path[0] === 'string' ? issue.path[0] : null;
  const params = issue.code === 'custom' ? issue.params : undefined;
  const code = (params?.code as RowCode | undefined) ?? 'INVALID_VALUE';
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''} in this row)` : '';
  return reject(code, column, column ? (row[column] ?? null) : null, `${issue.message}${more}`);
}

/** Adds the row's id to `ids`; a row whose id is already there is rejected. */
function isDuplicate(
  record: EscoRecord,
  line: number,
  ids: UriSet | null,
  source: DatasetSource,
  spec: RowSpec,
  rejections: Rejections,
): boolean {
  if (!ids || !spec.idColumn) return false;
  const id = (record as unknown as Record<string, string>)[spec.idColumn] as string;
  if (ids.add(id)) return false;
  const reason = `${spec.idColumn} already defined earlier in this file`;
  rejections.add({ file: source.name, line, column: spec.idColumn, value: excerpt(id), code: 'DUPLICATE_URI', reason });
  return true;
}

function isConceptKind(kind: FileKind): kind is ConceptKind {
  return kind === 'skills' || kind === 'occupations' || kind === 'iscoGroups' || kind === 'skillGroups';
}

/** Relation ends that name no concept read earlier: counted, reported, not handed over. */
function isDangling(record: EscoRecord, source: DatasetSource, line: number, state: ScanState): boolean {
  const ends = relationEnds(record);
  const missing = ends.find(([, uri, kind]) => !state.known[kind].has(uri));
  if (!missing) return false;
  state.dangling.add({ file: source.name, line, column: missing[0], uri: missing[1] });
  return true;
}

function relationEnds(record: EscoRecord): [column: string, uri: string, kind: ConceptKind][] {
  switch (record.kind) {
    case 'occupationSkillRelation':
      return [
        ['occupationUri', record.occupationUri, 'occupations'],
        ['skillUri', record.skillUri, 'skills'],
      ];
    case 'broaderRelation':
      return [
        ['conceptUri', record.conceptUri, CONCEPT_OF_TYPE[record.conceptType]],
        ['broaderUri', record.broaderUri, CONCEPT_OF_TYPE[record.broaderType]],
      ];
    case 'skillSkillRelation':
      return [
        ['originalSkillUri', record.originalSkillUri, 'skills'],
        ['relatedSkillUri', record.relatedSkillUri, 'skills'],
      ];
    default:
      return [];
  }
}
