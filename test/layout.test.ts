/**
 * The source layout stays true (docs/architecture.md, "Source layout"): the folders of src/
 * depend on each other one way only, and nothing the product ships or runs (src/, scripts/,
 * bench/) imports the tests. Imports are read from the text: `import … from`, `export … from`
 * and `import(…)` with a relative path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const SKIPPED = new Set(['node_modules', 'dist', 'test']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') || SKIPPED.has(entry.name) ? [] : tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:\b(?:import|export)\s[^'";]*?\bfrom\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The files a file imports by relative path, resolved to absolute paths. */
function relativeImports(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), m[1] as string));
}

/** A file's room: its top-level folder under src/, or the file itself when it sits at the top. */
function roomOf(file: string): string | undefined {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length > 0 ? `${first}/` : first;
}

/** Room → the rooms it imports, other than itself. */
function roomGraph(files: readonly string[], read: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = roomOf(file);
    if (from === undefined) continue;
    for (const target of relativeImports(file, read(file))) {
      const to = roomOf(target);
      if (to === undefined || to === from) continue;
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges.add(to));
    }
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each as `a → b → … → a`. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    const at = stack.indexOf(node);
    if (at >= 0) {
      found.push([...stack.slice(at), node].join(' → '));
      return;
    }
    if (done.has(node)) return;
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) visit(next);
    stack.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return found;
}

describe('cycles', () => {
  it('names a cycle between folders, and finds none in a one-way graph', () => {
    const graph = new Map([
      ['a/', new Set(['b/'])],
      ['b/', new Set(['c/'])],
      ['c/', new Set(['a/'])],
    ]);
    expect(cycles(graph)).toEqual(['a/ → b/ → c/ → a/']);
    expect(cycles(new Map([['a/', new Set(['b/'])]]))).toEqual([]);
  });

  it('reads the rooms from import lines, ignoring packages and imports inside a room', () => {
    const files = [path.join(SRC, 'a/x.ts'), path.join(SRC, 'b/y.ts')];
    const text: Record<string, string> = {
      [files[0] as string]: "import { y } from '../b/y.ts';\nimport { z } from './z.ts';\nimport { q } from 'zod';",
      [files[1] as string]: "import type { X } from '../a/x.ts';\nconst m = await import('../log.ts');",
    };
    const graph = roomGraph(files, (f) => text[f] ?? '');
    expect(cycles(graph)).toEqual(['a/ → b/ → a/']);
    expect([...(graph.get('b/') ?? [])].sort()).toEqual(['a/', 'log.ts']);
  });
});

describe('the source layout', () => {
  it('has no import cycle between the folders of src/', () => {
    const graph = roomGraph(tsFiles(SRC), (f) => readFileSync(f, 'utf8'));
    expect(graph.size).toBeGreaterThan(5);
    expect(cycles(graph)).toEqual([]);
  });

  it('has nothing outside test/ import from test/', () => {
    const tests = path.join(ROOT, 'test') + path.sep;
    const offending = tsFiles(ROOT).flatMap((file) =>
      relativeImports(file, readFileSync(file, 'utf8'))
        .filter((target) => target.startsWith(tests))
        .map((target) => `${path.relative(ROOT, file)} imports ${path.relative(ROOT, target)}`),
    );
    expect(tsFiles(ROOT).some((f) => f.startsWith(path.join(ROOT, 'scripts')))).toBe(true);
    expect(offending).toEqual([]);
  });
});
