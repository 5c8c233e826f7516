import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HarnessError } from './errors.ts';

/**
 * The images the workloads run (manifests' ${AGNHOST_IMAGE} and ${BUSYBOX_IMAGE}), by their official names; the
 * in-cluster load generator's Node image, loadgen; metrics-server, the add-on the setup installs when the cluster lacks
 * the metrics API; and the reference workload, drain-server (offline/go/drain-server): built by a run on kind and
 * served by the local registry (lib/run/registry.ts), or named by WC_DRAIN_SERVER_IMAGE, else absent (an existing
 * cluster that cannot pull from this machine).
 */
export type WorkloadImages = { agnhost: string; busybox: string; loadgen: string; metricsServer: string; drainServer?: string };

/** What the global setup hands to the test workers (they are separate processes). */
export interface RunContext {
  runId: string;
  kubeconfigPath: string;
  context?: string;
  images: WorkloadImages;
  mode: 'kind' | 'existing';
  /** The cluster's Kubernetes release (its API server's gitVersion), for the reports. */
  kubernetesVersion?: string;
  offline: boolean;
  /**
   * The nodes' cgroup version, when known: a kind cluster on this machine's Docker engine runs on the engine's; on
   * another cluster a probe pod read it at the run's start (lib/run/node-cgroup.ts).
   */
  nodeCgroupVersion?: 1 | 2;
  /** The workers act as the least-privilege ServiceAccount (docs/rbac.yaml), not the credentials the run was given. */
  leastPrivilege?: boolean;
  /**
   * The workers' credentials may cordon nodes (patch nodes: docs/rbac.yaml's node role, or an admin's), as the API
   * answered a SelfSubjectAccessReview at the run's start. Without it the node-level files skip, saying so.
   */
  mayCordon?: boolean;
  /** Other runs holding a lease on the cluster at this run's start ("<runId> (<holder>)"): node-level files then skip. */
  otherRuns?: string[];
  /** The nodes ordinary pods could be scheduled onto at the run's start (lib/kit/nodes.ts schedulableWorkers). */
  workers?: string[];
  clusterName?: string;
  /**
   * Every node is a container of this machine's Docker engine (a kind cluster here): a node-loss test may stop and
   * start one. Unset on any other cluster.
   */
  nodeContainersHere?: boolean;
  /** This run created the kind cluster (and so may delete it). */
  createdCluster: boolean;
  keepCluster: boolean;
  reportsDir: string;
  /** The kind config the cluster was made from (assumed kind-config.yaml for an existing cluster). */
  kindConfigPath: string;
  startedAt: string;
  /** The process that owns this run's namespaces: the Jest parent, which outlives every worker. */
  owner: { host: string; pid: number };
  /**
   * The run is being interrupted and is cleaning up. Jest replaces the workers the interrupt stopped and
   * starts the next files in them; those must create nothing the cleanup has already swept.
   */
  stopping?: boolean;
}

export const RUN_FILE_ENV = 'WC_RUN_FILE';

export function defaultRunFile(reportsDir = process.env.WC_REPORTS_DIR ?? 'reports'): string {
  return resolve(reportsDir, '.run.json');
}

export function writeRunContext(run: RunContext, file = join(run.reportsDir, '.run.json')): string {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(run, null, 2)}\n`);
  renameSync(tmp, file);
  process.env[RUN_FILE_ENV] = file;
  return file;
}

let cached: RunContext | undefined;

export function currentRun(): RunContext {
  if (cached) return cached;
  const file = process.env[RUN_FILE_ENV] ?? defaultRunFile();
  let run: RunContext;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as RunContext;
  } catch (err) {
    throw new HarnessError('reading the run context', `cannot read ${file}`,
      'run cluster tests through Jest\'s "cluster" project (npm test), whose global setup writes it', { cause: err });
  }
  if (run.stopping) {
    throw new HarnessError('starting a test file', `run ${run.runId} is being interrupted (Ctrl-C or SIGTERM) and cleans up: ` +
      'a file starting now creates nothing', 'run the suite again once this one has exited');
  }
  cached = run;
  return cached;
}

/** A run id unique enough across runs and short enough to fit in namespace names. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(2, 12); // yymmddhhmm
  const random = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${stamp}-${random}`;
}
