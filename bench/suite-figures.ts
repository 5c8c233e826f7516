// The figures of `npm run bench:suite`, from what a cluster run leaves in its reports directory: junit.xml (each
// file's wall time, as Jest measured it in the worker), .timing/<file>.json (when the file started and ended,
// and its worker's event-loop delay: tests/setup/event-loop.ts) and summary.json (the rollout's achieved rates).
// Pure: reads text, returns numbers, so tests/unit/bench-suite.test.ts checks it without a cluster.
import type { FileRun } from '../lib/run/junit.ts';
import { percentile } from '../lib/rollout/ledger/percentiles.ts';
import { intrinsicOf, intrinsicSeconds } from './intrinsic.ts';

export { parseJunitSuites as parseJunit } from '../lib/run/junit.ts';

export interface EventLoop {
  file: string;
  startedAt: string;
  endedAt: string;
  eventLoopDelayMs: { mean: number; p50: number; p99: number; max: number };
}

export interface FileFigures extends FileRun {
  intrinsicSeconds?: number;
  ratio?: number;
  why: string;
  eventLoopLagP99Ms?: number;
  eventLoopLagMaxMs?: number;
  /** Wall minus the tests' own times: worker start, beforeAll (apply, pods starting), afterAll (namespace deletion). */
  outsideTestsSeconds?: number;
}

export interface SuiteFigures {
  files: FileFigures[];
  suiteSeconds: number;
  bringUpSeconds: number;
  longest?: FileFigures;
  /** suite wall / (bring-up + longest file): 1 when every file overlapped the longest perfectly. */
  suiteRatio?: number;
}

const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

/**
 * Per file: wall, intrinsic minimum and their ratio; for the suite: its wall over (bring-up + longest file).
 * `bringUpSeconds` is the time from launching Jest until the first file started (global setup included).
 */
export function suiteFigures(runs: FileRun[], loops: EventLoop[], suiteSeconds: number, bringUpSeconds: number,
  testSeconds: Record<string, number> = {}, resolutionMs = 10): SuiteFigures {
  const files = runs.map((run): FileFigures => {
    const entry = intrinsicOf(run.file);
    const { why } = entry;
    const seconds = intrinsicSeconds(entry, run.tests - (run.skipped ?? 0));
    const loop = loops.find((l) => l.file === run.file);
    return {
      ...run, why,
      ...(testSeconds[run.file] !== undefined ? { outsideTestsSeconds: round(Math.max(0, run.wallSeconds - testSeconds[run.file]!), 1) } : {}),
      ...(seconds !== undefined ? { intrinsicSeconds: seconds } : {}),
      ...(seconds ? { ratio: round(run.wallSeconds / seconds) } : {}),
      // The histogram times a `resolutionMs` timer: what it records beyond that is the lag.
      ...(loop ? { eventLoopLagP99Ms: round(Math.max(0, loop.eventLoopDelayMs.p99 - resolutionMs), 1),
        eventLoopLagMaxMs: round(Math.max(0, loop.eventLoopDelayMs.max - resolutionMs), 1) } : {}),
    };
  }).sort((a, b) => b.wallSeconds - a.wallSeconds);
  const longest = files[0];
  return {
    files, suiteSeconds: round(suiteSeconds, 1), bringUpSeconds: round(bringUpSeconds, 1),
    ...(longest ? { longest, suiteRatio: round(suiteSeconds / (bringUpSeconds + longest.wallSeconds)) } : {}),
  };
}

/** The Markdown table bench:suite prints. */
export function formatSuiteFigures(f: SuiteFigures, workers: number | string): string {
  const cell = (n: number | undefined, unit = ''): string => (n === undefined ? '?' : `${n}${unit}`);
  const lines = [
    `| file | wall s | intrinsic s | ratio | outside tests s | event-loop lag p99 / max ms | tests (failed) |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    ...f.files.map((x) => `| ${x.file} | ${x.wallSeconds.toFixed(1)} | ${cell(x.intrinsicSeconds)} | ${cell(x.ratio)} | ${cell(x.outsideTestsSeconds)} | ` +
      `${cell(x.eventLoopLagP99Ms)} / ${cell(x.eventLoopLagMaxMs)} | ${x.tests}${x.failures ? ` (${x.failures})` : ''} |`),
    '',
    `workers: ${workers}; suite wall ${f.suiteSeconds} s; bring-up (Jest start + global setup) ${f.bringUpSeconds} s; ` +
      `longest file ${f.longest ? `${f.longest.file} ${f.longest.wallSeconds.toFixed(1)} s` : '-'}`,
    `whole-suite ratio: ${cell(f.suiteRatio)} = suite wall / (bring-up + longest file) (goal <= 1.2)`,
  ];
  const unknown = f.files.filter((x) => x.intrinsicSeconds === undefined).map((x) => x.file);
  if (unknown.length) lines.push(`intrinsic minimum unknown for: ${unknown.join(', ')} (bench/intrinsic.ts)`);
  return lines.join('\n');
}

/**
 * Why the whole suite took longer than bring-up + its longest file: the file that ended last, when it could
 * start, and whether the other files' work fits beside the longest file on the remaining workers.
 */
export function heldBackBy(f: SuiteFigures, loops: EventLoop[], workers: number): string | undefined {
  if (f.suiteRatio === undefined || f.suiteRatio <= 1.2 || !f.longest || loops.length === 0) return undefined;
  const start = Math.min(...loops.map((l) => Date.parse(l.startedAt)));
  const last = [...loops].sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt))[0]!;
  const others = f.files.filter((x) => x !== f.longest).reduce((sum, x) => sum + x.wallSeconds, 0);
  const beside = workers > 1 ? others / (workers - 1) : others;
  return `held back by ${last.file}: it ended last, having started ${((Date.parse(last.startedAt) - start) / 1000).toFixed(0)} s ` +
    `into the run (it waited for a free worker); the other files need ${others.toFixed(0)} worker-seconds, ` +
    `${beside.toFixed(0)} s on the ${Math.max(1, workers - 1)} worker(s) beside the longest file (${f.longest.wallSeconds.toFixed(0)} s)` +
    (beside > f.longest.wallSeconds ? ': more workers (or shorter files) would close the gap' : '');
}

/**
 * Several runs of the same suite (`run --repeat N` leaves one reports directory each): per file its wall time's
 * min / median / max and the median's ratio to its minimum, and the spread of the suite's wall and ratio.
 */
export function repeatedFigures(runs: readonly SuiteFigures[]): string {
  const byFile = new Map<string, FileFigures[]>();
  for (const run of runs) for (const file of run.files) byFile.set(file.file, [...(byFile.get(file.file) ?? []), file]);
  const spread = (values: number[], digits: number): string =>
    [0, 50, 100].map((p) => percentile([...values].sort((x, y) => x - y), p).toFixed(digits)).join(' / ');
  const rows = [...byFile.entries()].map(([file, seen]) => {
    const walls = seen.map((f) => f.wallSeconds);
    const intrinsic = seen[0]?.intrinsicSeconds;
    const median = percentile([...walls].sort((x, y) => x - y), 50);
    const failedIn = seen.filter((f) => f.failures > 0).length;
    return { file, median, line: `| ${file} | ${spread(walls, 1)} | ${intrinsic ?? '?'} | ` +
      `${intrinsic ? round(median / intrinsic).toString() : '?'} | ${failedIn} of ${seen.length} |` };
  }).sort((a, b) => b.median - a.median);
  const ratios = runs.map((r) => r.suiteRatio).filter((r): r is number => r !== undefined);
  return [
    `${runs.length} runs`,
    '',
    '| file | wall s min / median / max | intrinsic s | ratio (median) | runs with a failure |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => r.line),
    '',
    `suite wall s (min / median / max): ${spread(runs.map((r) => r.suiteSeconds), 0)}`,
    `whole-suite ratio (min / median / max): ${ratios.length ? spread(ratios, 2) : '?'} = suite wall / (bring-up + longest file) (goal <= 1.2)`,
  ].join('\n');
}
