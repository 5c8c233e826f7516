import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from './errors.ts';
import { connect } from './kube.ts';
import type { Kube } from './kube.ts';
import { currentRun, defaultRunFile, RUN_FILE_ENV } from './run-context.ts';
import { describeRun, markDisrupting, waitOnOtherRuns } from './run-leases.ts';

// A node-level file (tests/node-*.test.ts) cordons, drains or stops nodes: every other file's pods may sit on them.
// Kubernetes' own e2e suite runs such tests [Serial] and [Disruptive], apart from the rest; here the sequencer starts
// them after every other cluster file, and each waits, before it touches a node, until no other file of the run is
// still running, then holds a lock that the other node-level files wait for. Files register themselves in the run's
// directory (tests/setup/cluster-environment.ts); an entry whose process is gone does not count.

/** Whether a test file is node-level, by its name: they run after the others and alone. */
export function isNodeLevelFile(path: string): boolean {
  return /(^|\/)tests\/node-[^/]*\.test\.ts$/.test(path);
}

interface RunningFile {
  pid: number;
  file: string;
}

/** The directory where this run's cluster files say they are running (beside the run file). */
export function runningFilesDir(runFile = process.env[RUN_FILE_ENV] ?? defaultRunFile()): string {
  return join(dirname(runFile), '.running');
}

const entryOf = (dir: string, pid: number): string => join(dir, `${pid}.json`);

/** Marks a test file as running in this process (one file per Jest worker at a time). */
export function registerRunningFile(file: string, dir = runningFilesDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(entryOf(dir, process.pid), JSON.stringify({ pid: process.pid, file } satisfies RunningFile));
}

export function unregisterRunningFile(dir = runningFilesDir()): void {
  rmSync(entryOf(dir, process.pid), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The other files of the run still running, by file name (entries of processes that are gone are removed). */
export function otherRunningFiles(dir = runningFilesDir()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    let entry: RunningFile;
    try {
      entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunningFile;
    } catch {
      continue; // being written or removed
    }
    if (entry.pid === process.pid) continue;
    if (!alive(entry.pid)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    files.push(entry.file);
  }
  return files;
}

/** Takes the node-level lock (a file created exclusively), removing one left by a process that is gone. */
function tryLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(lock, { force: true });
    return false;
  }
}

/**
 * Waits until this file is alone on the cluster among the run's files, as a node-level file must be: no other file
 * running but node-level ones, and the node-level lock held. Returns its release. This waits on other test files
 * of this machine, not on Kubernetes, so it polls the run's directory (once a second).
 */
export async function aloneOnCluster(file: string, log: (line: string) => void, dir = runningFilesDir()): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'node-level.lock');
  const started = Date.now();
  let said = 0;
  for (;;) {
    const others = otherRunningFiles(dir).filter((f) => !isNodeLevelFile(f));
    if (!others.length && tryLock(lock)) break;
    if (Date.now() - said >= 30_000) {
      said = Date.now();
      log(`[wc] ${basename(file)} touches nodes and waits to be alone on the cluster (${Math.round((Date.now() - started) / 1000)} s): ` +
        (others.length ? `still running: ${others.map((f) => basename(f)).join(', ')}` : 'another node-level file holds the nodes'));
    }
    await sleep(1000);
  }
  return () => rmSync(lock, { force: true });
}

/** How long a node-level file waits for the run's other files to end: the longest of them runs about 6 minutes here. */
export const ALONE_WAIT_MS = 30 * 60_000;

/**
 * Waits until no other run holds a lease on the cluster (another run's pods sit on the nodes this file disturbs).
 * A run that found others at its start skips its node-level files (nodeLevelUnavailable), so two runs never wait
 * for each other; this waits only for runs that started after this one.
 */
export function aloneAmongRuns(kube: Kube, runId: string, file: string, log: (line: string) => void, timeoutMs: number): Promise<void> {
  return waitOnOtherRuns(kube, runId, {
    which: () => true, log, timeoutMs,
    waiting: (runs) => `[wc] ${basename(file)} waits for run(s) ${runs.map(describeRun).join(', ')} to end: it disturbs every pod on the nodes`,
    gaveUp: (runs, minutes) => `run(s) ${runs.map(describeRun).join(', ')} still use this cluster after ${minutes} min: ` +
      `${basename(file)} disturbs every pod on its nodes and runs only while no other run does`,
  });
}

/**
 * For a node-level test file, before anything else it declares: its tests start only once it is alone on the
 * cluster (aloneOnCluster: no other file of this run; aloneAmongRuns: no other run), its run's lease says it is
 * disrupting nodes while they run (a run starting meanwhile waits before its files begin), and both are given
 * back after them, pass or fail.
 */
export function useNodeLevel(file: string): void {
  let release: (() => void) | undefined;
  let marked: { kube: Kube; runId: string } | undefined;
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  beforeAll(async () => {
    const started = Date.now();
    release = await aloneOnCluster(file, log);
    const run = currentRun();
    if (nodeLevelUnavailable(run)) return; // its cases are skipped, saying why
    const kube = connect(run.kubeconfigPath, run.context);
    await aloneAmongRuns(kube, run.runId, file, log, ALONE_WAIT_MS - (Date.now() - started) - 60_000);
    await markDisrupting(kube, run.runId, true);
    marked = { kube, runId: run.runId };
  }, ALONE_WAIT_MS);
  afterAll(async () => {
    if (marked) await markDisrupting(marked.kube, marked.runId, false).catch((err: unknown) => log(`[wc] could not clear the disrupting mark on this run's lease: ${messageOf(err)}`));
    release?.();
  });
}

/** How many schedulable workers the node-level cases need: one to cordon, drain or stop, one for its pods to go to. */
export const NODE_LEVEL_MIN_WORKERS = 2;

/**
 * Why this run cannot run node-level cases, for their titles (undefined when it can): the skip then says it in the
 * report, never silently. They need the cluster to themselves (no other run at this run's start), rights to cordon,
 * and two schedulable workers.
 */
export function nodeLevelUnavailable(run: { mayCordon?: boolean; workers?: string[]; otherRuns?: string[] }): string | undefined {
  if (run.otherRuns?.length) {
    return `skipped: run(s) ${run.otherRuns.join(', ')} used this cluster at this run's start, and these cases disturb every pod on its nodes: ` +
      'they run only on a cluster no other run uses';
  }
  if (!run.mayCordon) return 'skipped: these credentials may not patch nodes; apply docs/rbac.yaml\'s node role (workload-conformance-nodes) or run with an admin\'s';
  const workers = run.workers ?? [];
  if (workers.length < NODE_LEVEL_MIN_WORKERS) {
    return `skipped: the cluster had ${workers.length} schedulable worker node${workers.length === 1 ? '' : 's'} at the run's start, ` +
      `these cases need ${NODE_LEVEL_MIN_WORKERS} (a kind cluster: WC_NODES=3, the default kind-config.yaml's)`;
  }
  return undefined;
}
