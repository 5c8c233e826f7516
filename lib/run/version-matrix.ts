// `run --kubernetes 1.35,1.36,1.37`: the suite once per Kubernetes version, and one result with a column per
// version. Pure: the table a person reads, versions.json for tools, and one junit.xml holding every version's
// test suites (each renamed "[Kubernetes 1.35] tests/x.test.ts", so CI shows them side by side).
import type { TestCaseRun } from './junit.ts';

export type CaseVerdict = 'passed' | 'failed' | 'skipped' | 'not run';

/** One version's run: its cases from its junit.xml. */
export interface VersionRun {
  minor: string;
  /** The release the cluster ran (its API server's gitVersion), when the run got that far. */
  serverVersion?: string;
  cases: TestCaseRun[];
  /** Interrupted (Ctrl-C, SIGTERM): its results are partial. */
  interrupted?: boolean;
}

export interface MatrixRow {
  file: string;
  name: string;
  verdicts: Record<string, CaseVerdict>;
}

export interface VersionMatrix {
  versions: Array<{ minor: string; serverVersion?: string; passed: number; failed: number; skipped: number; interrupted: boolean }>;
  rows: MatrixRow[];
}

function verdictOf(c: TestCaseRun): CaseVerdict {
  if (c.skipped) return 'skipped';
  return c.failure === undefined ? 'passed' : 'failed';
}

/** Every test case any version ran, in first-seen order, with each version's verdict ("not run" where it had none). */
export function versionMatrix(runs: VersionRun[]): VersionMatrix {
  const rows = new Map<string, MatrixRow>();
  for (const run of runs) {
    for (const c of run.cases) {
      const key = `${c.file}\u0000${c.name}`;
      const row = rows.get(key) ?? { file: c.file, name: c.name, verdicts: {} };
      row.verdicts[run.minor] = verdictOf(c);
      rows.set(key, row);
    }
  }
  for (const row of rows.values()) for (const run of runs) row.verdicts[run.minor] ??= 'not run';
  return {
    versions: runs.map((r) => ({
      minor: r.minor, ...(r.serverVersion ? { serverVersion: r.serverVersion } : {}),
      passed: r.cases.filter((c) => verdictOf(c) === 'passed').length,
      failed: r.cases.filter((c) => verdictOf(c) === 'failed').length,
      skipped: r.cases.filter((c) => verdictOf(c) === 'skipped').length,
      interrupted: r.interrupted === true,
    })),
    rows: [...rows.values()],
  };
}

const SHORT: Record<CaseVerdict, string> = { passed: 'PASS', failed: 'FAIL', skipped: 'skip', 'not run': '-' };

/** The table: one line per test case, one column per version, then each version's totals. */
export function formatMatrix(matrix: VersionMatrix): string[] {
  const minors = matrix.versions.map((v) => v.minor);
  const width = Math.max(6, ...minors.map((m) => m.length));
  const lines = [`${minors.map((m) => m.padEnd(width)).join(' ')}  test`];
  for (const row of matrix.rows) {
    lines.push(`${minors.map((m) => SHORT[row.verdicts[m]!].padEnd(width)).join(' ')}  ${row.file.replace(/\.test\.ts$/, '')} › ${row.name}`);
  }
  lines.push('');
  for (const v of matrix.versions) {
    lines.push(`Kubernetes ${v.minor}${v.serverVersion ? ` (${v.serverVersion})` : ''}: ${v.passed} passed, ${v.failed} failed, ${v.skipped} skipped` +
      `${v.interrupted ? ' (interrupted: not counted)' : ''}${v.passed + v.failed + v.skipped === 0 && !v.interrupted ? ' (nothing ran: see its output above)' : ''}`);
  }
  return lines;
}

const escapeAttribute = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * One junit.xml of several versions' files: every <testsuite> of each, its name prefixed with the version, under
 * one <testsuites>. The cases inside are kept as jest-junit wrote them.
 */
export function mergeJunit(files: Array<{ minor: string; xml: string }>): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const { minor, xml } of files) {
    for (const [suite] of xml.matchAll(/<testsuite\s[^>]*>[\s\S]*?<\/testsuite>|<testsuite\s[^>]*\/>/g)) {
      tests += Number(/\stests="(\d+)"/.exec(suite)?.[1] ?? 0);
      failures += Number(/\sfailures="(\d+)"/.exec(suite)?.[1] ?? 0) + Number(/\serrors="(\d+)"/.exec(suite)?.[1] ?? 0);
      suites.push(suite.replace(/^(<testsuite\b[^>]*?\sname=")([^"]*)"/, (_, head: string, name: string) =>
        `${head}${escapeAttribute(`[Kubernetes ${minor}] `)}${name}"`));
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="workload-conformance, Kubernetes ${files.map((f) => f.minor).join(', ')}" ` +
    `tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
