/**
 * The import graph of src/: every relative import (type-only and dynamic ones too) between modules,
 * no cycle in it, and no folder importing from a layer above its own. A cycle means two modules
 * each need the other, so neither is a layer below. The layers are README.md's architecture:
 * data flows up them, from the model's definition to the page and the command line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** module -> the src modules it imports (`from '...'`, `import('...')`, `export ... from '...'`). */
export function importGraph(root = 'src'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files(root)) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)]
      .map((m) => m[1].split('?')[0])
      .filter((p) => p.endsWith('.ts'))
      .map((p) => relative('.', normalize(join(dirname(f), p))));
    graph.set(relative('.', f), [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle, as a list of modules (depth-first search, each cycle reported from its first module). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string) => {
    state.set(m, 'open');
    stack.push(m);
    for (const n of graph.get(m) ?? []) {
      if (state.get(n) === 'open') found.push([...stack.slice(stack.indexOf(n)), n]);
      else if (!state.has(n)) visit(n);
    }
    stack.pop();
    state.set(m, 'done');
  };
  for (const m of [...graph.keys()].sort()) if (!state.has(m)) visit(m);
  return found;
}

/** src/'s folders (and top-level files), lowest first; a module imports only from its own layer or below. */
export const LAYERS: string[][] = [
  ['util', 'errors.ts', 'defaults.ts'],
  ['model', 'encoder'],
  ['features'],
  ['data', 'gpu', 'store'],
  ['eval'],
  ['runtime', 'world'],
  ['node'],
  ['train'],
  ['cli', 'demo', 'embed', 'index.ts'],
];

/** The folder (or top-level file) of a src/ module: its layer's name. */
const folderOf = (m: string) => m.split('/')[1];

/** Every import from a layer above the importer's, as `importer -> imported`. */
export function upwardImports(graph: Map<string, string[]>, layers = LAYERS): string[] {
  const level = new Map(layers.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const out: string[] = [];
  for (const [m, targets] of graph) {
    const from = level.get(folderOf(m));
    for (const t of targets) {
      const to = level.get(folderOf(t));
      if (from === undefined || to === undefined || to > from) out.push(`${m} -> ${t}`);
    }
  }
  return out;
}

describe('the import graph of src/', () => {
  it('reads the imports it should (and every target exists)', () => {
    const g = importGraph();
    expect(g.get('src/store/behaviour-store.ts')).toContain('src/features/behaviour-event.ts');
    expect(g.get('src/gpu/fused-ranker.ts')).toContain('src/model/params.ts');
    for (const [m, targets] of g) for (const t of targets) expect(g.has(t), `${m} imports ${t}`).toBe(true);
  });

  it('has no cycle', () => {
    expect(cycles(importGraph()).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('puts every folder of src/ in a layer, and no module imports from a layer above its own', () => {
    const g = importGraph();
    const named = new Set(LAYERS.flat());
    expect([...new Set([...g.keys()].map(folderOf))].filter((f) => !named.has(f))).toEqual([]);
    expect(upwardImports(g)).toEqual([]);
  });

  it('finds an upward import when there is one', () => {
    const g = new Map([['src/model/a.ts', ['src/runtime/b.ts', 'src/util/c.ts']], ['src/runtime/b.ts', ['src/model/a.ts']], ['src/util/c.ts', []]]);
    expect(upwardImports(g)).toEqual(['src/model/a.ts -> src/runtime/b.ts']);
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
