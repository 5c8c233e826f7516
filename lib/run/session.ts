import { rmSync } from 'node:fs';
import type { ClusterHandle } from './cluster.ts';
import { bringUpCluster, tearDownCluster } from './cluster.ts';
import type { HarnessConfig } from './config.ts';
import { messageOf } from '../kit/errors.ts';
import { connect } from '../kit/kube.ts';
import { deleteRunNamespaces, thisProcessOwner } from '../kit/namespace.ts';
import { resetSummary, writeSummary } from '../kit/report.ts';
import type { RunContext } from '../kit/run-context.ts';
import { newRunId, RUN_FILE_ENV, writeRunContext } from '../kit/run-context.ts';
import { onInterrupt } from './signals.ts';
import { sweepLeftovers } from './sweeper.ts';

/** What the global teardown (same process as the setup) needs from the setup. */
interface LiveRun {
  run?: RunContext;
  cluster?: ClusterHandle;
  removeInterruptHandler: () => void;
}

const LIVE_RUN = Symbol.for('workload-conformance.live-run');
type Holder = { [LIVE_RUN]?: LiveRun };

export type Log = (line: string) => void;
export const stderrLog: Log = (line) => {
  process.stderr.write(`${line}\n`);
};

/** Removes what this run made: its namespaces (pointless if the cluster goes too), then a cluster it created. */
async function cleanUp(live: LiveRun, log: Log): Promise<void> {
  const { cluster, run } = live;
  const clusterGoes = cluster?.createdCluster && !cluster.keepCluster;
  if (run && !clusterGoes) {
    try {
      const names = await deleteRunNamespaces(connect(run.kubeconfigPath, run.context), run.runId, 120_000);
      if (names.length) log(`[wc] deleted this run's namespaces: ${names.join(', ')}`);
    } catch (err) {
      log(`[wc] could not delete this run's namespaces: ${messageOf(err)}`);
    }
  }
  if (cluster) await tearDownCluster(cluster, log);
}

/**
 * Brings the cluster up, sweeps earlier runs' leftovers and writes the run context for the test workers.
 * From its first step a Ctrl-C/SIGTERM cleans up (namespaces of this run, a cluster it is creating) and
 * exits non-zero; a failure cleans up the same way before it is rethrown.
 */
export async function startRun(config: HarnessConfig, log: Log = stderrLog): Promise<RunContext> {
  const runId = newRunId();
  const owner = thisProcessOwner();
  const live: LiveRun = { removeInterruptHandler: () => undefined };
  live.removeInterruptHandler = onInterrupt(() => cleanUp(live, log), { log });
  (globalThis as Holder)[LIVE_RUN] = live;
  try {
    const cluster = await bringUpCluster(config, { log, onCreating: (handle) => { live.cluster = handle; } });
    live.cluster = cluster;
    const run: RunContext = {
      runId, kubeconfigPath: cluster.kubeconfigPath, ...(cluster.context ? { context: cluster.context } : {}),
      images: cluster.images, mode: cluster.mode, offline: config.offline,
      ...(cluster.clusterName ? { clusterName: cluster.clusterName } : {}),
      createdCluster: cluster.createdCluster, keepCluster: cluster.keepCluster, reportsDir: config.reportsDir,
      kindConfigPath: cluster.kindConfigPath,
      startedAt: new Date().toISOString(), owner,
    };
    live.run = run;
    await sweepLeftovers(connect(run.kubeconfigPath, run.context), runId, owner, log);
    resetSummary(config.reportsDir);
    writeRunContext(run);
    log(`[wc] run ${runId}: images agnhost=${run.images.agnhost} busybox=${run.images.busybox}${run.images.drainServer ? ` drain-server=${run.images.drainServer}` : ''}`);
    return run;
  } catch (err) {
    await cleanUp(live, log).catch((e: unknown) => log(`[wc] cleanup after the failure failed too: ${messageOf(e)}`));
    live.removeInterruptHandler();
    delete (globalThis as Holder)[LIVE_RUN];
    throw err;
  }
}

/** Merges the summary, removes whatever the test files left, deletes a cluster this run created. */
export async function finishRun(log: Log = stderrLog): Promise<void> {
  const live = (globalThis as Holder)[LIVE_RUN];
  if (!live) return;
  try {
    if (live.run) {
      const summary = writeSummary(live.run.reportsDir, live.run.runId);
      log(`[wc] summary: ${summary.totals.passed} passed, ${summary.totals.failed} failed -> ${live.run.reportsDir}/summary.json`);
    }
    await cleanUp(live, log);
  } finally {
    // The run file describes a live run only; left behind it would mislead the next reader.
    const runFile = process.env[RUN_FILE_ENV];
    if (live.run && runFile) rmSync(runFile, { force: true });
    live.removeInterruptHandler();
    delete (globalThis as Holder)[LIVE_RUN];
  }
}
