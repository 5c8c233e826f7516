// npm run bench:suite — not a test: runs the cluster suite once on a warm cluster (WC_KUBECONFIG and WC_CONTEXT,
// or a kept kind cluster reused by WC_CLUSTER_NAME) with WC_PARALLEL workers, then prints per file
// its wall time, its Kubernetes-intrinsic minimum (bench/intrinsic.ts) and their ratio, each worker's
// event-loop lag, the rollout's achieved rates, and the whole-suite ratio: suite wall / (bring-up + longest file).
//   npm run bench:suite                          # every cluster file
//   npm run bench:suite -- tests/oom-kill.test.ts  # some (arguments go to Jest)
//   npm run bench:suite -- --from reports/x      # no run: the figures of a run already in that directory
//   npm run bench:suite -- --from reports/rep    # of a `run --repeat N` directory: each file's spread over the N runs
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../lib/run/cli/run-cli.ts';
import { parseParallel } from '../lib/run/config.ts';
import { REPO_ROOT } from '../lib/run/versions.ts';
import { HarnessError } from '../lib/kit/errors.ts';
import { parseJunitCases } from '../lib/run/junit.ts';
import type { EventLoop, SuiteFigures } from './suite-figures.ts';
import { formatSuiteFigures, heldBackBy, parseJunit, repeatedFigures, suiteFigures } from './suite-figures.ts';

function readLoops(dir: string): EventLoop[] {
  const timing = join(dir, '.timing');
  if (!existsSync(timing)) return [];
  return readdirSync(timing).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(timing, f), 'utf8')) as EventLoop);
}

/** The rolling update's offered vs achieved rate per case and mode, from summary.json. */
function rolloutRates(dir: string): string[] {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) return [];
  const summary = JSON.parse(readFileSync(file, 'utf8')) as { behaviours: { case: string; observations: Record<string, unknown> }[] };
  return summary.behaviours.flatMap((b) => {
    const byMode = b.observations.byMode as Record<string, { requests: number; failed: number; ratePerSecond: number;
      latencyMs?: { p50: number; p99: number } }> | undefined;
    if (!byMode) return [];
    return [`rollout "${b.case}": ` + Object.entries(byMode).map(([mode, m]) =>
      `${mode} ${m.ratePerSecond.toFixed(0)} req/s achieved (${m.requests} requests, ${m.failed} failed, ` +
      `latency p50 ${m.latencyMs?.p50.toFixed(0) ?? '?'} ms p99 ${m.latencyMs?.p99.toFixed(0) ?? '?'} ms)`).join('; ')];
  });
}

function runJest(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const jest = join(REPO_ROOT, 'node_modules/jest/bin/jest.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [jest, '--selectProjects', 'cluster', '--', ...args], { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

/** The figures of the run whose reports are in `dir`; with the launch time (not --from) bring-up is known. */
function figuresIn(dir: string, suiteSeconds: number | undefined, startedAtMs: number | undefined): { figures: SuiteFigures; loops: EventLoop[] } {
  const junit = join(dir, 'junit.xml');
  if (!existsSync(junit)) throw new HarnessError('reading the run', `${junit} does not exist`, 'run the suite first (without --from)');
  const xml = readFileSync(junit, 'utf8');
  const runs = parseJunit(xml);
  const testSeconds: Record<string, number> = {};
  for (const c of parseJunitCases(xml)) testSeconds[c.file] = (testSeconds[c.file] ?? 0) + c.seconds;
  const loops = readLoops(dir);
  const starts = loops.map((l) => Date.parse(l.startedAt));
  const ends = loops.map((l) => Date.parse(l.endedAt));
  const firstStart = starts.length ? Math.min(...starts) : undefined;
  // Without a launch time (--from), bring-up is unknown: 0, and the suite spans the first start to the last end.
  const bringUp = startedAtMs !== undefined && firstStart !== undefined ? (firstStart - startedAtMs) / 1000 : 0;
  const wall = suiteSeconds ?? (ends.length && firstStart !== undefined ? (Math.max(...ends) - firstStart) / 1000 : 0);
  return { figures: suiteFigures(runs, loops, wall, bringUp, testSeconds), loops };
}

function figuresOf(dir: string, suiteSeconds: number | undefined, startedAtMs: number | undefined, workers: number | string): string {
  const { figures, loops } = figuresIn(dir, suiteSeconds, startedAtMs);
  const held = typeof workers === 'number' ? heldBackBy(figures, loops, workers) : undefined;
  const text = [formatSuiteFigures(figures, workers), ...(held ? [held] : []), ...rolloutRates(dir)].join('\n');
  writeFileSync(join(dir, 'bench-suite.md'), `${text}\n`);
  return text;
}

/** A `run --repeat N` reports directory: run-1/ … run-N/, each a run's reports. */
function repeatedRunDirs(dir: string): string[] {
  if (!existsSync(dir) || existsSync(join(dir, 'junit.xml'))) return [];
  return readdirSync(dir).filter((d) => /^run-\d+$/.test(d) && existsSync(join(dir, d, 'junit.xml')))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))).map((d) => join(dir, d));
}

runCli(async () => {
  const args = process.argv.slice(2);
  const from = args.indexOf('--from');
  const workers = parseParallel(process.env);
  if (from >= 0) {
    const dir = args[from + 1];
    if (!dir) throw new HarnessError('reading the arguments', '--from needs a reports directory', 'npm run bench:suite -- --from reports');
    const n = args[from + 2] === '--workers' ? Number(args[from + 3]) : undefined;
    const repeated = repeatedRunDirs(resolve(dir));
    if (repeated.length) {
      const text = repeatedFigures(repeated.map((d) => figuresIn(d, undefined, undefined).figures));
      writeFileSync(join(resolve(dir), 'bench-suite.md'), `${text}\n`);
      process.stdout.write(`${text}\n(each run's own figures: npm run bench:suite -- --from ${join(dir, 'run-<i>')})\n`);
      return;
    }
    process.stdout.write(`${figuresOf(resolve(dir), undefined, undefined, n && n > 0 ? n : 'as that run had them')}\n`);
    return;
  }
  if (!process.env.WC_KUBECONFIG && !process.env.WC_KEEP_CLUSTER) {
    throw new HarnessError('benchmarking the suite', 'the benchmark measures a warm cluster, and none is named',
      'set WC_KUBECONFIG (and WC_CONTEXT) to an existing cluster, or WC_KEEP_CLUSTER=1 to reuse a kept kind cluster');
  }
  const reports = resolve(process.env.WC_REPORTS_DIR ?? join(REPO_ROOT, 'reports', 'bench-suite'));
  const started = Date.now();
  const code = await runJest(args, { ...process.env, WC_REPORTS_DIR: reports });
  const suiteSeconds = (Date.now() - started) / 1000;
  process.stdout.write(`\n${figuresOf(reports, suiteSeconds, started, workers)}\n(also in ${join(reports, 'bench-suite.md')})\n`);
  if (code !== 0) process.stdout.write(`Jest exited ${code}: some tests failed (see above); their files' times still count.\n`);
});
