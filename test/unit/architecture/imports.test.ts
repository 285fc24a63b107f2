/**
 * The layers of ARCHITECTURE.md, checked over the import graph of src/: no cycle
 * anywhere (dynamic `import()` counts, so a cycle cannot hide behind one), app/ reaches
 * storage only through the interface and its factory, and core/ and format/ import
 * nothing above them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every file's local imports, static and dynamic, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components with more than one node, or a self-loop (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('resolves every local import to a file that exists', () => {
    for (const [file, targets] of graph) for (const target of targets) expect(graph.has(target), `${file} imports ${target}`).toBe(true);
  });

  it('has no import cycle, dynamic imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const planted = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(cycles(planted)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('lets app/ reach store/ only through the storage interface and its factory', () => {
    const allowed = ['store/backend.ts', 'store/open.ts'];
    for (const [file, targets] of graph) {
      if (!file.startsWith('app/')) continue;
      for (const target of targets.filter((t) => t.startsWith('store/'))) expect(allowed, `${file} imports ${target}`).toContain(target);
    }
  });

  it('keeps core/ and format/ below app/, store/ and cli/', () => {
    for (const [file, targets] of graph) {
      if (!file.startsWith('core/') && !file.startsWith('format/')) continue;
      for (const target of targets) expect(target, `${file} imports ${target}`).toMatch(/^(core|format)\//);
    }
  });

  it('keeps cli/ out of app/, store/, core/ and format/', () => {
    for (const [file, targets] of graph) {
      if (file.startsWith('cli/') || file === 'main.ts') continue;
      for (const target of targets) expect(target, `${file} imports ${target}`).not.toMatch(/^cli\//);
    }
  });
});
