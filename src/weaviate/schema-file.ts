/**
 * The YAML format of resources/schemas/<collection>.yaml: one collection per file, validated with
 * zod on load so a typo in a schema file is a clear SCHEMA_INVALID error, not a half-made schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { z } from 'zod';
import { EscoInitError } from '../errors.ts';

export const DATA_TYPES = [
  'text',
  'text[]',
  'int',
  'int[]',
  'number',
  'number[]',
  'boolean',
  'boolean[]',
  'date',
  'date[]',
  'uuid',
  'uuid[]',
] as const;

export const TOKENIZATIONS = ['word', 'lowercase', 'whitespace', 'field', 'trigram'] as const;

/** Weaviate's rule for class and property names (GraphQL names). */
const propertyName = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must match [_A-Za-z][_0-9A-Za-z]*');
const collectionName = z.string().regex(/^[A-Z][_0-9A-Za-z]*$/, 'must start with a capital letter');

const PropertySchema = z.strictObject({
  name: propertyName,
  dataType: z.enum(DATA_TYPES),
  description: z.string().optional(),
  /** text and text[] only; default `word`. */
  tokenization: z.enum(TOKENIZATIONS).optional(),
  indexFilterable: z.boolean().default(true),
  /** text and text[] only; default true for them. */
  indexSearchable: z.boolean().optional(),
  /** int, number, date only. */
  indexRangeFilters: z.boolean().default(false),
  /** Whether the vectorizer reads this property (when the run uses one). */
  vectorize: z.boolean().default(false),
});

const ReferenceSchema = z.strictObject({
  name: propertyName,
  target: collectionName,
  description: z.string().optional(),
});

export const SchemaFileSchema = z
  .strictObject({
    name: collectionName,
    description: z.string(),
    properties: z.array(PropertySchema).min(1),
    references: z.array(ReferenceSchema).default([]),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, p] of [...file.properties, ...file.references].entries()) {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['properties', i], message: `duplicate "${p.name}"` });
      seen.add(p.name);
    }
    for (const [i, p] of file.properties.entries()) {
      const isText = p.dataType.startsWith('text');
      if (!isText && (p.tokenization !== undefined || p.indexSearchable !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['properties', i],
          message: `${p.name}: tokenization/indexSearchable apply to text only`,
        });
      }
      if (!isText && p.vectorize) {
        ctx.addIssue({ code: 'custom', path: ['properties', i], message: `${p.name}: only text can be vectorized` });
      }
      if (p.indexRangeFilters && !/^(int|number|date)$/.test(p.dataType)) {
        ctx.addIssue({
          code: 'custom',
          path: ['properties', i],
          message: `${p.name}: indexRangeFilters needs int, number or date`,
        });
      }
    }
  });

export type SchemaFile = z.infer<typeof SchemaFileSchema>;
export type PropertyFile = SchemaFile['properties'][number];
export type ReferenceFile = SchemaFile['references'][number];

/** Reads and validates every *.yaml in `dir`, sorted by collection name. */
export function readSchemaFiles(dir: string): SchemaFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch (cause) {
    throw new EscoInitError('SCHEMA_INVALID', `cannot read the schema folder ${dir}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (names.length === 0) throw new EscoInitError('SCHEMA_INVALID', `no *.yaml schema files in ${dir}`);
  const files = names.map((n) => readSchemaFile(path.join(dir, n)));
  checkNames(files, dir);
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

export function readSchemaFile(file: string): SchemaFile {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EscoInitError('SCHEMA_INVALID', `cannot read schema file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const parsed = SchemaFileSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new EscoInitError('SCHEMA_INVALID', `invalid schema file ${file}: ${problems}. Fix the file and run again.`);
  }
  return parsed.data;
}

/** Collection names are unique (case-insensitively, as Weaviate sees them) and targets exist. */
function checkNames(files: SchemaFile[], dir: string): void {
  const byLower = new Map<string, string>();
  for (const f of files) {
    const other = byLower.get(f.name.toLowerCase());
    if (other) throw new EscoInitError('SCHEMA_INVALID', `${dir}: collection "${f.name}" is defined twice`);
    byLower.set(f.name.toLowerCase(), f.name);
  }
  for (const f of files) {
    for (const r of f.references) {
      if (!files.some((t) => t.name === r.target)) {
        throw new EscoInitError(
          'SCHEMA_INVALID',
          `${dir}: ${f.name}.${r.name} points at collection "${r.target}", which no schema file defines`,
        );
      }
    }
  }
}
