import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { HarnessError } from '../kit/errors.ts';
import type { WorkloadImages } from '../kit/run-context.ts';
import { chooseContext, readKubeconfigSummary } from './kubeconfig.ts';
import type { KubernetesPins } from './versions.ts';
import { kubernetesPins, readVersions, REPO_ROOT, requireVersion } from './versions.ts';

export type { WorkloadImages };

export interface HarnessConfig {
  mode: 'kind' | 'existing';
  offline: boolean;
  clusterName: string;
  kindConfigPath: string;
  keepCluster: boolean;
  kubeconfigPath?: string;
  context?: string;
  allowNonKind: boolean;
  /** Images the workloads run, by their official names (WC_*_IMAGE to name others); drainServer only when named. */
  images: WorkloadImages;
  /** The local registry's image (WC_REGISTRY_IMAGE, versions.env REGISTRY_IMAGE); offline, the build's. */
  registryImage: string;
  /** Node image the user asked for (WC_NODE_IMAGE); wins over the offline and the pinned one. */
  nodeImage?: string;
  /** The pinned node image for online kind mode (versions.env KIND_NODE_IMAGE_<minor>). */
  pinnedNodeImage?: string;
  /** The Kubernetes version a kind cluster is made at (WC_KUBERNETES_VERSION, default the newest supported minor). */
  kubernetes: KubernetesPins;
  /** How many nodes a kind cluster is made with (WC_NODES: one control plane, the rest workers); unset, the kind config's own. */
  nodes?: number;
  /** The user's own images loaded into the kind cluster with the workload images (WC_LOAD_IMAGES, `audit --load-image`). */
  loadImages: string[];
  /** The run is an audit (WC_AUDIT, set by `audit`): on an existing cluster no add-on (metrics-server) is installed for it. */
  audit: boolean;
  reportsDir: string;
  cacheDir: string;
}

type Env = Record<string, string | undefined>;

/**
 * The in-cluster load generator's image (the rolling update's and the audit's): a stock Node image, the very Node the
 * harness runs on (versions.env NODE_VERSION); the generator's sources come at run time in a ConfigMap.
 */
export function defaultLoadgenImage(versions: Record<string, string> = readVersions()): string {
  return `docker.io/library/node:${requireVersion(versions, 'NODE_VERSION')}-slim`;
}

const STEP = 'reading the configuration';
const KIND_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** A boolean environment variable: unset/empty/0/false/no is off, 1/true/yes is on, anything else an error. */
export function parseFlag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new HarnessError(STEP, `${name}=${env[name]} is not a boolean`, `set ${name}=1 to turn it on, or unset it`);
}

/**
 * How many cluster test files run at once (WC_PARALLEL). The files are isolated by namespace and spend
 * their time waiting on Kubernetes' own timers (probe periods, back-off, grace periods), not on this
 * machine's CPU, so they overlap well even on 2 cores; each runs in its own Jest worker process, so the
 * rolling update's host load generator never shares an event loop with another file. Measured on the 2-core
 * dev machine, shared with other engineers (bench/suite.ts, 13 files, bench/results/suite-wc-dev.md): 4 workers
 * ran the suite in 152 s, whole-suite ratio 1.09, everything passed, the rollout at 175-199 of its 200 req/s;
 * 3 took 183 s (rollout 200 req/s); 6 took 229 s, the CPU-starved rollout reached 72 req/s (its worker's
 * event-loop lag p99 1.3 s) and the busy node began to fail container starts (StartError) and exec probes;
 * serial took about 500 s. More cores (and a node with more CPU) carry more: raise it there. 1 is serial.
 */
export const DEFAULT_PARALLEL = 4;
const MAX_PARALLEL = 64;

export function parseParallel(env: Env = process.env): number {
  const raw = env.WC_PARALLEL?.trim();
  if (raw === undefined || raw === '') return DEFAULT_PARALLEL;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > MAX_PARALLEL) {
    throw new HarnessError(STEP, `WC_PARALLEL=${env.WC_PARALLEL} is not a whole number from 1 to ${MAX_PARALLEL}`,
      `set WC_PARALLEL to how many cluster test files may run at once (default ${DEFAULT_PARALLEL}; 1 runs them one after another)`);
  }
  return n;
}

/** Most nodes a kind cluster may be asked for: each is a container running a kubelet and a runtime (~300 MiB). */
export const MAX_NODES = 10;

/** WC_NODES: how many nodes a kind cluster is made with, one of them the control plane; undefined when unset. */
export function parseNodes(env: Env): number | undefined {
  const raw = env.WC_NODES?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_NODES) {
    throw new HarnessError(STEP, `WC_NODES=${env.WC_NODES} is not a whole number from 1 to ${MAX_NODES}`,
      'set WC_NODES to how many nodes the kind cluster has (3 is one control plane and two workers), or unset it for the kind config\'s own');
  }
  return n;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function expandPath(path: string, home: string, cwd: string): string {
  const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

export interface LoadConfigOptions {
  versions?: Record<string, string>;
  cwd?: string;
  home?: string;
}

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): HarnessConfig {
  const versions = options.versions ?? readVersions();
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? homedir();

  const offline = parseFlag(env, 'WC_OFFLINE');
  const keepCluster = parseFlag(env, 'WC_KEEP_CLUSTER');
  const allowNonKind = parseFlag(env, 'WC_ALLOW_NON_KIND');

  const clusterName = nonEmpty(env, 'WC_CLUSTER_NAME') ?? 'workload-conformance';
  if (!KIND_NAME.test(clusterName) || clusterName.length > 50) {
    throw new HarnessError(STEP, `WC_CLUSTER_NAME="${clusterName}" is not a valid kind cluster name`,
      'use lower-case letters, digits, "-" and "." (at most 50 characters)');
  }

  // Every image by the name its registry serves it under: online the nodes pull it from there, offline the local
  // registry serves the offline build's image under that very name (lib/run/registry.ts). drain-server has no public
  // image: a run on kind builds it (lib/run/drain-server-image.ts) unless WC_DRAIN_SERVER_IMAGE names one.
  const drainServer = nonEmpty(env, 'WC_DRAIN_SERVER_IMAGE');
  const images: WorkloadImages = {
    agnhost: nonEmpty(env, 'WC_AGNHOST_IMAGE') ?? requireVersion(versions, 'AGNHOST_IMAGE'),
    busybox: nonEmpty(env, 'WC_BUSYBOX_IMAGE') ?? requireVersion(versions, 'BUSYBOX_IMAGE'),
    metricsServer: nonEmpty(env, 'WC_METRICS_SERVER_IMAGE') ?? requireVersion(versions, 'METRICS_SERVER_IMAGE'),
    loadgen: nonEmpty(env, 'WC_LOADGEN_IMAGE') ?? defaultLoadgenImage(versions),
    ...(drainServer ? { drainServer } : {}),
  };
  const registryImage = nonEmpty(env, 'WC_REGISTRY_IMAGE') ?? requireVersion(versions, 'REGISTRY_IMAGE');

  const nodeImage = nonEmpty(env, 'WC_NODE_IMAGE');
  const requestedKubernetes = nonEmpty(env, 'WC_KUBERNETES_VERSION');
  const kubernetes = kubernetesPins(versions, requestedKubernetes);
  const nodes = parseNodes(env);
  const loadImages = (nonEmpty(env, 'WC_LOAD_IMAGES') ?? '').split(',').map((i) => i.trim()).filter(Boolean);
  if (loadImages.length && nonEmpty(env, 'WC_KUBECONFIG')) {
    throw new HarnessError(STEP, `WC_LOAD_IMAGES (--load-image) loads images into the kind cluster a run makes, but WC_KUBECONFIG names an existing cluster`,
      'push the images where that cluster\'s nodes pull from, and leave out --load-image');
  }
  const reportsDir = expandPath(nonEmpty(env, 'WC_REPORTS_DIR') ?? 'reports', home, cwd);
  const cacheDir = expandPath(nonEmpty(env, 'WC_CACHE_DIR') ?? '~/.cache/workload-conformance', home, cwd);
  const common = {
    offline, clusterName, keepCluster, allowNonKind, images, registryImage, reportsDir, cacheDir, loadImages,
    audit: nonEmpty(env, 'WC_AUDIT') !== undefined,
    kindConfigPath: expandPath(nonEmpty(env, 'WC_KIND_CONFIG') ?? join(REPO_ROOT, 'kind-config.yaml'), home, cwd),
    ...(nodeImage ? { nodeImage } : {}),
    pinnedNodeImage: kubernetes.kindNodeImage, kubernetes,
  };
  if (nodes !== undefined && nonEmpty(env, 'WC_KUBECONFIG')) {
    throw new HarnessError(STEP, `WC_NODES=${nodes} makes a kind cluster, but WC_KUBECONFIG names an existing one, which has the nodes it has`,
      'unset WC_NODES to run on the existing cluster, or unset WC_KUBECONFIG to make a kind cluster');
  }

  const kubeconfig = nonEmpty(env, 'WC_KUBECONFIG');
  const requestedContext = nonEmpty(env, 'WC_CONTEXT');
  if (!kubeconfig) {
    if (requestedContext) {
      throw new HarnessError(STEP, `WC_CONTEXT=${requestedContext} is set but WC_KUBECONFIG is not`,
        'set WC_KUBECONFIG to the kubeconfig that holds that context, or unset WC_CONTEXT');
    }
    return { mode: 'kind', ...common, ...(nodes !== undefined ? { nodes } : {}) };
  }
  if (requestedKubernetes) {
    throw new HarnessError(STEP, `WC_KUBERNETES_VERSION=${requestedKubernetes} is set but WC_KUBECONFIG names an existing cluster, which runs the version it runs`,
      'unset WC_KUBERNETES_VERSION to use the existing cluster, or unset WC_KUBECONFIG to make a kind cluster at that version');
  }
  const kubeconfigPath = expandPath(kubeconfig, home, cwd);
  const context = chooseContext(readKubeconfigSummary(kubeconfigPath), requestedContext, allowNonKind);
  return { mode: 'existing', ...common, kubeconfigPath, context };
}
