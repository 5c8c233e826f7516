import { rmSync } from 'node:fs';
import type { ClusterHandle } from './cluster.ts';
import { bringUpCluster, tearDownCluster } from './cluster.ts';
import { clusterDeletionDecision, otherLiveRuns } from './cluster-sharing.ts';
import type { HarnessConfig } from './config.ts';
import { messageOf } from '../kit/errors.ts';
import { connect } from '../kit/kube.ts';
import { sweepLeftovers } from './lease-sweep.ts';
import { sweepCordons } from '../kit/cordon.ts';
import { mayPatchNodes } from './node-rights.ts';
import { schedulableWorkers } from '../kit/nodes.ts';
import type { LeastPrivilege } from './least-privilege.ts';
import { leastPrivilegeWanted, setUpLeastPrivilege, sweepIdentityLeftovers } from './least-privilege.ts';
import { thisProcessOwner } from '../kit/namespace.ts';
import { resetSummary, writeSummary } from '../kit/report.ts';
import type { RunContext } from '../kit/run-context.ts';
import { newRunId, RUN_FILE_ENV, writeRunContext } from '../kit/run-context.ts';
import { removeRunNamespaces } from './run-cleanup.ts';
import type { RunLease } from './run-lease.ts';
import { acquireRunLease } from './run-lease.ts';
import { ensureMetricsServer } from './metrics-server.ts';
import { probeNodeCgroupVersion } from './node-cgroup.ts';
import { stopChildProcesses } from './child-processes.ts';
import { onInterrupt } from './signals.ts';
import { restartStoppedNodes, startNodesStoppedBy } from '../kit/node-containers.ts';
import { pullOnEveryNode } from './image-pull.ts';
import { describeRun, otherLiveRunsNow, waitWhileOthersDisrupt } from '../kit/run-leases.ts';

/** What the global teardown (same process as the setup) needs from the setup. */
interface LiveRun {
  run?: RunContext;
  cluster?: ClusterHandle;
  lease?: RunLease;
  leastPrivilege?: LeastPrivilege;
  /** The metrics-server install, running beside the tests (the autoscaling file waits for the API itself). */
  addOns?: Promise<void>;
  /** An interrupt arrived: the run context, whenever written, says so (test files then refuse to start). */
  stopping?: boolean;
  removeInterruptHandler: () => void;
}

const LIVE_RUN = Symbol.for('workload-conformance.live-run');
type Holder = { [LIVE_RUN]?: LiveRun };

export type Log = (line: string) => void;
export const stderrLog: Log = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * Removes what this run made: its namespaces, lease last (pointless if the cluster goes too), then a cluster
 * it created, unless another run holds a lease on that cluster (see cluster-sharing.ts).
 */
async function cleanUp(live: LiveRun, log: Log): Promise<void> {
  const { cluster, run } = live;
  live.lease?.stop();
  const kube = run ? connect(run.kubeconfigPath, run.context) : undefined;
  const mayDelete = cluster?.mode === 'kind' && cluster.createdCluster && !cluster.keepCluster;
  // Before the run (and its lease) exists the cluster is still being created: nobody else can be on it yet.
  const decision = cluster && mayDelete && kube && run ? clusterDeletionDecision(cluster, await otherLiveRuns(kube, run.runId)) : undefined;
  const clusterGoes = decision ? decision.delete : mayDelete;
  // A node the node-loss test stopped (its worker killed by the interrupt) comes back first: pods on a stopped
  // node never finish terminating, and would hold this run's namespaces (lib/kit/node-containers.ts).
  if (run && cluster?.nodeContainersHere && !clusterGoes) {
    await restartStoppedNodes(run.reportsDir, run.runId, log);
    if (kube) {
      await startNodesStoppedBy(kube, (by) => by === run.runId, log)
        .catch((err: unknown) => log(`[wc] could not clear this run's stopped-node marks: ${messageOf(err)}`));
    }
  }
  if (run && kube && !clusterGoes) {
    // Nodes first: a cordon this run left (a file stopped half-way) is the cluster's capacity, not the run's.
    await sweepCordons(kube, (by) => by === run.runId, log)
      .catch((err: unknown) => log(`[wc] could not uncordon the nodes this run cordoned: ${messageOf(err)}`));
    try {
      const names = await removeRunNamespaces(kube, run.runId, log, 120_000);
      if (names.length) log(`[wc] deleted this run's namespaces: ${names.join(', ')}`);
    } catch (err) {
      log(`[wc] could not delete this run's namespaces: ${messageOf(err)}`);
    }
  }
  // The token kubeconfig is a file on this machine: it goes even when the cluster (and the objects) go with it.
  if (live.leastPrivilege) await live.leastPrivilege.tearDown(log, { objects: !clusterGoes });
  if (decision && !decision.delete) log(`[wc] ${decision.reason}`);
  else if (cluster) await tearDownCluster(cluster, log);
}

/**
 * Brings the cluster up, sweeps earlier runs' leftovers and writes the run context for the test workers.
 * From its first step a Ctrl-C/SIGTERM cleans up (namespaces of this run, a cluster it is creating) and
 * exits non-zero; a failure cleans up the same way before it is rethrown.
 */
export async function startRun(config: HarnessConfig, log: Log = stderrLog): Promise<RunContext> {
  const runId = newRunId();
  const owner = thisProcessOwner();
  const leastPrivilege = leastPrivilegeWanted(process.env, config.mode);
  const live: LiveRun = { removeInterruptHandler: () => undefined };
  // The workers first: none may create objects after the cleanup has swept them.
  live.removeInterruptHandler = onInterrupt(async () => {
    // Seen on a Ctrl-C during a parallel run: Jest replaced the stopped workers and started the next files,
    // which created namespaces after the cleanup had listed the run's. Files starting from here refuse to run.
    live.stopping = true;
    if (live.run) {
      try {
        writeRunContext({ ...live.run, stopping: true });
      } catch (err) {
        log(`[wc] could not mark the run as stopping (files starting now may still create namespaces): ${messageOf(err)}`);
      }
    }
    await stopChildProcesses(log);
    await cleanUp(live, log);
  }, { log });
  (globalThis as Holder)[LIVE_RUN] = live;
  try {
    const cluster = await bringUpCluster(config, { log, onCreating: (handle) => { live.cluster = handle; } });
    live.cluster = cluster;
    // metrics-server is cluster-scoped: installed (when the cluster lacks the metrics API) with the credentials
    // the run was given, before it may switch to the least-privilege account, and in the background: only the
    // autoscaling behaviour needs it, and it waits for the API by watch.
    const admin = connect(cluster.kubeconfigPath, cluster.context);
    // An audit reads it for its resources check's peaks, but a user's own cluster is not given a cluster-scoped add-on
    // it did not have: there the check says "peaks not measured" and why. A kind cluster is the harness' own.
    if (!config.audit || cluster.mode === 'kind') {
      live.addOns = ensureMetricsServer(admin, cluster.images.metricsServer, runId, log).then(() => undefined,
        (err: unknown) => log(`[wc] metrics-server could not be installed (the autoscaling behaviour will fail; an audit measures no peaks): ${messageOf(err)}`));
    }
    // From here on the run acts through the least-privilege account, when asked to, and only through it.
    let access: { kubeconfigPath: string; context?: string } = { kubeconfigPath: cluster.kubeconfigPath, ...(cluster.context ? { context: cluster.context } : {}) };
    if (leastPrivilege) {
      await sweepIdentityLeftovers(admin, runId, log);
      live.leastPrivilege = await setUpLeastPrivilege(admin, runId, config.cacheDir, log);
      access = live.leastPrivilege;
    }
    const run: RunContext = {
      runId, kubeconfigPath: access.kubeconfigPath, ...(access.context ? { context: access.context } : {}),
      images: cluster.images, mode: cluster.mode, offline: config.offline,
      ...(cluster.serverVersion ? { kubernetesVersion: cluster.serverVersion } : {}), leastPrivilege,
      ...(cluster.nodeCgroupVersion ? { nodeCgroupVersion: cluster.nodeCgroupVersion } : {}),
      ...(cluster.clusterName ? { clusterName: cluster.clusterName } : {}),
      ...(cluster.nodeContainersHere ? { nodeContainersHere: true } : {}),
      createdCluster: cluster.createdCluster, keepCluster: cluster.keepCluster, reportsDir: config.reportsDir,
      kindConfigPath: cluster.kindConfigPath,
      startedAt: new Date().toISOString(), owner,
    };
    live.run = run;
    const kube = connect(run.kubeconfigPath, run.context);
    // The lease first: from here on, other runs' sweeps leave this run's namespaces alone.
    live.lease = await acquireRunLease(kube, runId, owner, { log });
    await sweepLeftovers(kube, runId, log);
    // Another run on the cluster: this run's node-level files skip (theirs wait for this one to end), and none of this
    // run's files starts while another run disrupts the nodes.
    const others = await otherLiveRunsNow(kube, runId);
    if (others.length) {
      run.otherRuns = others.map(describeRun);
      log(`[wc] run(s) ${run.otherRuns.join(', ')} also use this cluster: this run's node-level behaviours will be skipped, saying so`);
      await waitWhileOthersDisrupt(kube, runId, log);
    }
    await pullOnEveryNode(kube, Object.values(run.images).filter((i): i is string => Boolean(i)), runId, owner, log);
    // An existing cluster this machine cannot look at: one pod tells the nodes' cgroup version (the QoS tier cases need it).
    if (!run.nodeCgroupVersion) {
      const probed = await probeNodeCgroupVersion(kube, runId, owner, run.images.busybox, log);
      if (probed) run.nodeCgroupVersion = probed;
    }
    run.mayCordon = await mayPatchNodes(kube);
    run.workers = schedulableWorkers((await kube.core.listNode()).items);
    if (!run.mayCordon) log('[wc] these credentials may not patch nodes (docs/rbac.yaml\'s node role): the node-level behaviours will be skipped, each saying so');
    resetSummary(config.reportsDir);
    // An interrupt during the steps above has already marked the run: the file must keep saying so.
    writeRunContext(live.stopping ? { ...run, stopping: true } : run);
    log(`[wc] run ${runId}: images agnhost=${run.images.agnhost} busybox=${run.images.busybox}${run.images.drainServer ? ` drain-server=${run.images.drainServer}` : ''} loadgen=${run.images.loadgen}`);
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
    await live.addOns;
    await cleanUp(live, log);
  } finally {
    // The run file describes a live run only; left behind it would mislead the next reader.
    const runFile = process.env[RUN_FILE_ENV];
    if (live.run && runFile) rmSync(runFile, { force: true });
    live.removeInterruptHandler();
    delete (globalThis as Holder)[LIVE_RUN];
  }
}
