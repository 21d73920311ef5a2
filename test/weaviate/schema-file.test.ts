import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEscoInitError } from '../../src/errors.ts';
import { checkCollection, loadSchemas, SCHEMA_VERSION, toWireClass } from '../../src/weaviate/schema.ts';
import { readSchemaFiles } from '../../src/weaviate/schema-file.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'esco-schema-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function invalid(files: Record<string, string>): string {
  try {
    readSchemaFiles(dirWith(files));
  } catch (error) {
    expect(isEscoInitError(error, 'SCHEMA_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected SCHEMA_INVALID');
}

describe('schema files', () => {
  it('loads the project schemas: every ESCO collection and Metadata', () => {
    const defs = loadSchemas({ vectorizer: 'none' });
    expect(defs.collections.map((c) => c.name)).toEqual([
      'ConceptCollection',
      'ConceptScheme',
      'ISCOGroup',
      'Metadata',
      'Occupation',
      'Skill',
      'SkillGroup',
    ]);
    const metadata = defs.collections.find((c) => c.name === 'Metadata');
    expect(metadata?.properties.map((p) => p.name)).toEqual(['key', 'kind', 'state', 'json', 'updatedAt']);
    expect(metadata?.properties.find((p) => p.name === 'json')).toMatchObject({
      indexSearchable: false,
      indexFilterable: false,
    });
    expect(SCHEMA_VERSION).toMatch(/^[0-9a-f]{16}$/);
  });

  it('vectorizes only the chosen properties, and only when the run uses a vectorizer', () => {
    const none = loadSchemas({ vectorizer: 'none' });
    const t2v = loadSchemas({ vectorizer: 'text2vec-transformers' });
    expect(none.version).not.toBe(t2v.version);
    const skill = t2v.collections.find((c) => c.name === 'Skill');
    expect(skill).toMatchObject({
      vectorizer: 'text2vec-transformers',
      vectorizedProperties: ['preferredLabel', 'altLabels', 'description'],
    });
    expect(t2v.collections.find((c) => c.name === 'Metadata')?.vectorizer).toBe('none');
    expect(toWireClass(skill ?? (undefined as never)).vectorConfig).toEqual({
      default: {
        vectorizer: {
          'text2vec-transformers': {
            properties: ['preferredLabel', 'altLabels', 'description'],
            vectorizeClassName: false,
          },
        },
        vectorIndexType: 'hnsw',
      },
    });
    expect(none.collections.every((c) => c.vectorizer === 'none')).toBe(true);
  });

  it('rejects unknown data types, stray keys, duplicate names and dangling reference targets', () => {
    expect(invalid({ 'a.yaml': 'name: A\ndescription: a\nproperties:\n  - { name: x, dataType: string }\n' })).toMatch(
      /a\.yaml: properties\.0\.dataType/,
    );
    expect(
      invalid({
        'a.yaml': 'name: A\ndescription: a\nproperties:\n  - { name: x, dataType: text, tokenisation: word }\n',
      }),
    ).toMatch(/tokenisation/);
    expect(
      invalid({
        'a.yaml':
          'name: A\ndescription: a\nproperties:\n  - { name: x, dataType: text }\n  - { name: x, dataType: int }\n',
      }),
    ).toMatch(/duplicate "x"/);
    expect(
      invalid({
        'a.yaml': 'name: A\ndescription: a\nproperties:\n  - { name: n, dataType: int, tokenization: field }\n',
      }),
    ).toMatch(/text only/);
    expect(
      invalid({
        'a.yaml':
          'name: A\ndescription: a\nproperties:\n  - { name: x, dataType: text }\nreferences:\n  - { name: r, target: B }\n',
      }),
    ).toMatch(/A\.r points at collection "B"/);
    expect(invalid({ 'a.yaml': 'name: A\ndescription: a\nproperties: [ { name: x' })).toMatch(
      /cannot read schema file/,
    );
  });

  it('compares an existing class and names the first incompatible field', () => {
    const skill = loadSchemas({ vectorizer: 'none' }).collections.find((c) => c.name === 'Skill');
    if (!skill) throw new Error('no Skill');
    const wire = toWireClass(skill);
    expect(() => checkCollection(skill, wire)).not.toThrow();
    const changed = {
      ...wire,
      properties: wire.properties?.map((p) => (p.name === 'modifiedDate' ? { ...p, dataType: ['text'] } : p)),
    };
    expect(() => checkCollection(skill, changed)).toThrow(
      /Skill, property modifiedDate: dataType is \["text"\] in Weaviate but the schema expects \["date"\]/,
    );
  });
});
