import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../../../lib/kit/repo.ts';

// The floors of lib/ as docs/ARCHITECTURE.md ("Layout") draws them, checked on the import graph itself:
// eslint.config.js says the same per file; this also catches cycles and dynamic import()s.

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Repo-relative module → the repo-relative modules it imports (static, re-exports, import()), types included. */
function importGraph(): Map<string, string[]> {
  const files = [...walk(join(REPO_ROOT, 'lib')),
    ...readdirSync(join(REPO_ROOT, 'tests')).filter((f) => f.endsWith('.test.ts')).map((f) => join(REPO_ROOT, 'tests', f))];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
    graph.set(relative(REPO_ROOT, file), specs.map((spec) => relative(REPO_ROOT, resolve(dirname(file), spec))));
  }
  return graph;
}

const graph = importGraph();
const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));
const isBehaviourTest = (f: string): boolean => /^tests\/[^/]+\.test\.ts$/.test(f) && !/^tests\/harness-/.test(f);

describe('the layout of lib/', () => {
  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('every import names a module that exists', () => {
    expect(edges.filter(({ to }) => !to.endsWith('.json') && !graph.has(to) && !to.startsWith('tests/'))).toEqual([]);
  });

  it('a behaviour test imports only the kit entry, the checks\' entry, the rollout wing\'s entry and the audit\'s entry', () => {
    const entries = new Set(['lib/kit/index.ts', 'lib/rollout/index.ts', 'lib/checks/index.ts', 'lib/audit/index.ts']);
    expect(edges.filter(({ from, to }) => isBehaviourTest(from) && !entries.has(to))).toEqual([]);
  });

  it('the checks stand on the kit and the rollout wing (and read of the run side only the rollout settings); nothing below imports them', () => {
    expect(edges.filter(({ from, to }) => from.startsWith('lib/checks/') &&
      !/^lib\/(checks|kit|rollout)\//.test(to) && to !== 'lib/run/config-rollout.ts')).toEqual([]);
    expect(edges.filter(({ from, to }) => /^lib\/(kit|rollout|run)\//.test(from) && to.startsWith('lib/checks/'))).toEqual([]);
  });

  it('the audit stands on the checks, the kit and the rollout wing, never the run side; of lib/ only the CLI imports it', () => {
    expect(edges.filter(({ from, to }) => from.startsWith('lib/audit/') && !/^lib\/(audit|checks|kit|rollout)\//.test(to))).toEqual([]);
    expect(edges.filter(({ from, to }) => from.startsWith('lib/') && !/^lib\/(audit\/|run\/cli\/)/.test(from) && to.startsWith('lib/audit/'))).toEqual([]);
  });

  it('the kit imports only the kit', () => {
    expect(edges.filter(({ from, to }) => from.startsWith('lib/kit/') && !to.startsWith('lib/kit/'))).toEqual([]);
  });

  it('the rollout wing reads nothing of the run side but its settings', () => {
    expect(edges.filter(({ from, to }) => from.startsWith('lib/rollout/') &&
      !to.startsWith('lib/rollout/') && !to.startsWith('lib/kit/') && to !== 'lib/run/config-rollout.ts')).toEqual([]);
  });

  it('lib/ has nothing outside its five floors', () => {
    expect([...graph.keys()].filter((f) => f.startsWith('lib/') && !/^lib\/(kit|run|rollout|checks|audit)\//.test(f))).toEqual([]);
  });
});
