/**
 * The import graph of src/: every relative import (type-only and dynamic ones too) between modules,
 * and no cycle in it. A cycle means two modules each need the other, so neither is a layer below.
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

  it('finds a cycle when there is one', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
