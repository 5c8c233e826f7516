import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentRun } from './run-context.ts';

export type Verdict = 'passed' | 'failed';

/** One behaviour/case outcome as a person reads it in reports/summary.json. */
export interface BehaviourResult {
  behaviour: string;
  case: string;
  verdict: Verdict;
  durationMs: number;
  observations: Record<string, unknown>;
  /** Why it failed (the assertion or wait error), when it did. */
  failure?: string;
}

export interface RecordedResult extends BehaviourResult {
  runId?: string;
  recordedAt: string;
}

export interface Summary {
  runId?: string;
  /** The cluster's Kubernetes release (its API server's gitVersion). */
  kubernetesVersion?: string;
  generatedAt: string;
  totals: { passed: number; failed: number };
  behaviours: RecordedResult[];
}

const ENTRIES_DIR = '.summary';

function reportsDir(): string {
  try {
    return currentRun().reportsDir;
  } catch {
    return resolve(process.env.WC_REPORTS_DIR ?? 'reports');
  }
}

function kubernetesVersionOrUndefined(): string | undefined {
  try {
    return currentRun().kubernetesVersion;
  } catch {
    return undefined;
  }
}

function runIdOrUndefined(): string | undefined {
  try {
    return currentRun().runId;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Entries of this run merged into one summary: the latest entry per behaviour/case wins, ordered by
 * behaviour then case, entries of other runs left out.
 */
export function mergeResults(entries: RecordedResult[], runId?: string, now = new Date(), kubernetesVersion?: string): Summary {
  const latest = new Map<string, RecordedResult>();
  for (const entry of entries) {
    if (runId && entry.runId && entry.runId !== runId) continue;
    const key = `${entry.behaviour}\u0000${entry.case}`;
    const previous = latest.get(key);
    if (!previous || previous.recordedAt <= entry.recordedAt) latest.set(key, entry);
  }
  const behaviours = [...latest.values()].sort((a, b) => a.behaviour.localeCompare(b.behaviour) || a.case.localeCompare(b.case));
  return {
    ...(runId ? { runId } : {}),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    generatedAt: now.toISOString(),
    totals: {
      passed: behaviours.filter((b) => b.verdict === 'passed').length,
      failed: behaviours.filter((b) => b.verdict === 'failed').length,
    },
    behaviours,
  };
}

function readEntries(dir: string): RecordedResult[] {
  let files: string[];
  try {
    files = readdirSync(join(dir, ENTRIES_DIR)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(dir, ENTRIES_DIR, f), 'utf8')) as RecordedResult];
    } catch {
      return []; // a file another worker is renaming into place right now: the next merge sees it
    }
  });
}

/** (Re)writes reports/summary.json from every entry recorded so far by any worker. */
export function writeSummary(dir = reportsDir(), runId = runIdOrUndefined()): Summary {
  const summary = mergeResults(readEntries(dir), runId, new Date(), kubernetesVersionOrUndefined());
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/**
 * Records one behaviour/case. Each worker writes its entry to its own file (no two processes ever write
 * the same file), then merges all entries into summary.json; the global teardown merges once more.
 */
export function recordBehaviour(result: BehaviourResult, dir = reportsDir()): void {
  const runId = runIdOrUndefined();
  const entry: RecordedResult = { ...result, ...(runId ? { runId } : {}), recordedAt: new Date().toISOString() };
  const slug = `${result.behaviour}--${result.case}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  mkdirSync(join(dir, ENTRIES_DIR), { recursive: true });
  writeAtomically(join(dir, ENTRIES_DIR, `${slug}.json`), `${JSON.stringify(entry, null, 2)}\n`);
  writeSummary(dir, runId);
}

/**
 * Runs one case, timing it and recording its verdict with whatever `fn` put into `observations`
 * (recorded on failure too: what was seen before it failed is what explains it). Rethrows failures.
 */
export async function runCase<T>(behaviour: string, caseName: string,
  fn: (observations: Record<string, unknown>) => Promise<T>): Promise<T> {
  const observations: Record<string, unknown> = {};
  const started = performance.now();
  let result: { ok: true; value: T } | { ok: false; err: unknown };
  try {
    result = { ok: true, value: await fn(observations) };
  } catch (err) {
    result = { ok: false, err };
  }
  const durationMs = Math.round(performance.now() - started);
  // A report that cannot be written (disk full) is said beside the case's own result, never instead of it.
  let unwritten: string | undefined;
  try {
    recordBehaviour(result.ok
      ? { behaviour, case: caseName, verdict: 'passed', durationMs, observations }
      : { behaviour, case: caseName, verdict: 'failed', durationMs, observations,
        failure: result.err instanceof Error ? result.err.message.split('\n').slice(0, 20).join('\n') : String(result.err) });
  } catch (writeErr) {
    unwritten = writeErr instanceof Error ? writeErr.message : String(writeErr);
  }
  if (!result.ok) {
    if (unwritten && result.err instanceof Error) result.err.message += `\n(and its report could not be written: ${unwritten})`;
    throw result.err;
  }
  if (unwritten) throw new Error(`the case PASSED, but its report could not be written: ${unwritten}`);
  return result.value;
}

/** Forgets the entries of earlier runs (called by the global setup). */
export function resetSummary(dir: string): void {
  rmSync(join(dir, ENTRIES_DIR), { recursive: true, force: true });
  rmSync(join(dir, 'summary.json'), { force: true });
}
