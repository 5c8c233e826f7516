import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessConfig, WorkloadImages } from './config.ts';
import { guardExistingCluster } from './cluster-identity.ts';
import { waitClusterReady } from './cluster-ready.ts';
import { checkDocker, engineCgroupVersion, imagePresent } from './docker.ts';
import { isNodeContainerHere } from '../kit/node-containers.ts';
import { ensureDrainServerImage } from './drain-server-image.ts';
import { defaultLoadgenImage } from './config.ts';
import { ensureRegistry, joinKindNetwork, LOCAL_REGISTRY, mirrorOnNodes, pushAs } from './registry.ts';
import { HarnessError } from '../kit/errors.ts';
import { KindCli, kindTooOld } from './kind.ts';
import { checkHostPortsFree, kindConfigForHost, nodesInKindConfig } from './kind-config.ts';
import { checkInotifyRoom, readInotifyUse } from './inotify.ts';
import { connect } from '../kit/kube.ts';
import type { OfflineArtefacts } from './offline.ts';
import { buildOfflineArtefacts } from './offline.ts';
import { checkReachable } from './reachability.ts';
import { minorOf, readVersions, requireVersion } from './versions.ts';

/** The cluster a run uses, and whether this run owns its life. */
export interface ClusterHandle {
  mode: 'kind' | 'existing';
  kubeconfigPath: string;
  context?: string;
  clusterName?: string;
  kindBin?: string;
  /** This run created the kind cluster: it may delete it (unless keepCluster). */
  createdCluster: boolean;
  keepCluster: boolean;
  images: WorkloadImages;
  serverVersion?: string;
  /** The kind config the cluster was made from (for its host port mappings). */
  kindConfigPath: string;
  /** The cgroup version of the host kind's nodes run on, when this machine's Docker engine runs them. */
  nodeCgroupVersion?: 1 | 2;
  /** Every node is a container of this machine's Docker engine (the node-loss behaviour stops one). */
  nodeContainersHere?: boolean;
}

export interface BringUpOptions {
  log: (line: string) => void;
  /** Called just before `kind create cluster`, so an interrupt during creation can delete it. */
  onCreating?: (handle: ClusterHandle) => void;
}

export function kubeconfigFor(config: HarnessConfig): string {
  return join(config.cacheDir, 'kubeconfig', `${config.clusterName}.yaml`);
}

/**
 * The offline build's images, pushed to the local registry under the official names the workloads use (the
 * mirror serves them to the nodes as those registries would). An image named by WC_*_IMAGE is the user's: it is
 * pulled from wherever it lives, and the pinned name's offline image is pushed all the same (harmless).
 */
export function officialNames(artefacts: OfflineArtefacts, versions: Record<string, string> = readVersions()): Array<[string, string]> {
  const { agnhost, busybox, metricsServer, loadgen } = artefacts.images;
  return [
    [agnhost, requireVersion(versions, 'AGNHOST_IMAGE')],
    [busybox, requireVersion(versions, 'BUSYBOX_IMAGE')],
    ...(metricsServer ? [[metricsServer, requireVersion(versions, 'METRICS_SERVER_IMAGE')] as [string, string]] : []),
    ...(loadgen ? [[loadgen, defaultLoadgenImage(versions)] as [string, string]] : []),
  ];
}

export async function serveOfflineImages(artefacts: OfflineArtefacts, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const pairs = officialNames(artefacts);
  for (const [local, official] of pairs) {
    if (!await imagePresent(local)) {
      throw new HarnessError('serving the offline images', `${local} is not in the local Docker engine`, 'rebuild the offline artefacts: npm run offline:build');
    }
    await pushAs(local, official);
  }
  log(`[wc] the local registry serves the offline build's images as ${pairs.map(([, o]) => o).join(', ')} (${Math.round((Date.now() - started) / 1000)}s)`);
}

/**
 * The kind nodes pull through the local registry (started or reused): offline it serves the build's images under
 * their official names; drain-server, built here unless WC_DRAIN_SERVER_IMAGE names one, is pushed to it.
 */
async function serveImages(config: HarnessConfig, kind: KindCli, artefacts: OfflineArtefacts | undefined,
  log: (line: string) => void): Promise<WorkloadImages> {
  await ensureRegistry(artefacts?.registry ?? config.registryImage, log);
  if (artefacts) await serveOfflineImages(artefacts, log);
  let { drainServer } = config.images;
  // An audit runs the user's workload: the reference one is not built for it.
  if (!drainServer && !config.audit) {
    drainServer = await ensureDrainServerImage(join(config.cacheDir, 'build'), log);
    await pushAs(drainServer, drainServer);
  }
  await joinKindNetwork();
  await mirrorOnNodes(await kind.nodes(config.clusterName));
  log(`[wc] kind cluster ${config.clusterName}'s nodes pull through the local registry (${LOCAL_REGISTRY}; registry.k8s.io and docker.io fall through to themselves)`);
  return { ...config.images, ...(drainServer ? { drainServer } : {}) };
}

/**
 * Existing mode: check the cluster answers, touch nothing else. Kind mode: create the cluster (or reuse
 * one of the same name), wait until it is ready, point its nodes at the local registry (serveImages).
 */
export async function bringUpCluster(config: HarnessConfig, options: BringUpOptions): Promise<ClusterHandle> {
  const { log } = options;
  if (config.mode === 'existing') {
    const kubeconfigPath = config.kubeconfigPath!;
    const kube = connect(kubeconfigPath, config.context);
    const serverVersion = await checkReachable(kube);
    await guardExistingCluster(kube, config.allowNonKind, log);
    log(`[wc] using existing cluster (context ${config.context}, Kubernetes ${serverVersion}); it will not be created or deleted`);
    // A kind cluster on this machine's Docker engine runs on its cgroup version; elsewhere it is unknown.
    const nodeCgroupVersion = await engineCgroupVersion().catch(() => undefined);
    const nodeContainersHere = nodeCgroupVersion !== undefined && await kindNodesHere(kube);
    return {
      mode: 'existing', kubeconfigPath, ...(config.context ? { context: config.context } : {}),
      createdCluster: false, keepCluster: true, images: config.images, serverVersion, kindConfigPath: config.kindConfigPath,
      ...(nodeCgroupVersion && nodeContainersHere ? { nodeCgroupVersion } : {}), nodeContainersHere,
    };
  }

  const artefacts = config.offline ? await buildOfflineArtefacts(config.cacheDir, config.kubernetes.minor) : undefined;
  const kind = new KindCli(artefacts?.kind ?? 'kind');
  await checkDocker();
  const pinnedKind = requireVersion(readVersions(), 'KIND_VERSION');
  const tooOld = kindTooOld(await kind.check(), pinnedKind);
  if (tooOld) {
    throw new HarnessError('checking kind', tooOld,
      `install kind ${pinnedKind} or newer (go install sigs.k8s.io/kind@${pinnedKind}), or use WC_OFFLINE=1, whose build makes it`);
  }
  const kubeconfigPath = kubeconfigFor(config);
  const context = `kind-${config.clusterName}`;
  const handle: ClusterHandle = {
    mode: 'kind', kubeconfigPath, context, clusterName: config.clusterName, kindBin: kind.bin,
    createdCluster: false, keepCluster: config.keepCluster, images: config.images,
    kindConfigPath: config.kindConfigPath, nodeContainersHere: true,
  };
  if ((await kind.clusters()).includes(config.clusterName)) {
    log(`[wc] reusing kind cluster ${config.clusterName} (a reused cluster is never deleted)`);
    await kind.exportKubeconfig(config.clusterName, kubeconfigPath);
  } else {
    await checkHostPortsFree(config.kindConfigPath);
    log(`[wc] creating kind cluster ${config.clusterName} (Kubernetes ${config.nodeImage ? `from ${config.nodeImage}` : config.offline ? config.kubernetes.version : config.kubernetes.kindNodeImage})`);
    handle.createdCluster = true;
    options.onCreating?.(handle);
    const cgroupVersion = await engineCgroupVersion();
    handle.nodeCgroupVersion = cgroupVersion;
    mkdirSync(join(config.cacheDir, 'kind-config'), { recursive: true });
    const kindConfig = kindConfigForHost(config.kindConfigPath, join(config.cacheDir, 'kind-config', `${config.clusterName}.yaml`), cgroupVersion, config.nodes);
    if (config.nodes !== undefined) log(`[wc] ${config.nodes} node${config.nodes > 1 ? `s: one control plane, ${config.nodes - 1} worker${config.nodes > 2 ? 's' : ''}` : ''} (WC_NODES)`);
    if (cgroupVersion === 1) {
      log('[wc] the Docker engine runs on cgroup v1: the kubelets are set failCgroupV1: false (from Kubernetes 1.35 they ' +
        `refuse cgroup v1 otherwise; Kubernetes deprecates it, see README "Kubernetes versions"): ${kindConfig}`);
    }
    const image = config.nodeImage ?? artefacts?.nodeImage ?? config.pinnedNodeImage;
    checkInotifyRoom(readInotifyUse(), nodesInKindConfig(readFileSync(kindConfig, 'utf8')));
    try {
      await kind.create(config.clusterName, kindConfig, kubeconfigPath, image);
    } catch (err) {
      if (!controlPlaneNeverAnswered(err)) throw err;
      // The API server never answered: most often a kubelet that could not start (an inotify limit the check above
      // could not see, the node short of memory). Say where to look rather than try again blindly.
      throw new HarnessError('creating the kind cluster', (err as Error).message,
        `the control plane's kubelet most likely never started: check fs.inotify.max_user_instances (sysctl; kind's known issues) ` +
        `and free memory, then look at the node's log (${kind.bin} export logs --name ${config.clusterName})`, { cause: err });
    }
  }
  const kube = connect(kubeconfigPath, context);
  handle.serverVersion = await checkReachable(kube, 30_000);
  handle.nodeCgroupVersion ??= await engineCgroupVersion();
  // A reused cluster made at another version would run the suite on a version nobody asked for.
  if (!handle.createdCluster && !config.nodeImage && minorOf(handle.serverVersion) !== config.kubernetes.minor) {
    throw new HarnessError('reusing the kind cluster', `kind cluster ${config.clusterName} runs Kubernetes ${handle.serverVersion}, not ${config.kubernetes.minor}`,
      `delete it (${kind.bin} delete cluster --name ${config.clusterName}), or set WC_CLUSTER_NAME to another name, or WC_KUBERNETES_VERSION to its version`);
  }
  // A reused cluster of another size would run the suite on a topology nobody asked for.
  if (!handle.createdCluster && config.nodes !== undefined) {
    const count = (await kube.core.listNode()).items.length;
    if (count !== config.nodes) {
      throw new HarnessError('reusing the kind cluster', `kind cluster ${config.clusterName} has ${count} node${count === 1 ? '' : 's'}, not the ${config.nodes} WC_NODES asks for`,
        `delete it (${kind.bin} delete cluster --name ${config.clusterName}), or set WC_CLUSTER_NAME to another name, or WC_NODES=${count}`);
    }
  }
  await waitClusterReady(kube, log);
  handle.images = await serveImages(config, kind, artefacts, log);
  // The user's own (audit --load-image): taken from this machine's engine as they are, never pulled or rebuilt here.
  for (const image of config.loadImages) {
    if (!await imagePresent(image)) {
      throw new HarnessError('loading your images', `${image} is not in this machine's Docker engine`,
        `build or pull it first (docker build -t ${image} . / docker pull ${image}), then run again`);
    }
    log(`[wc] loading ${image} into kind cluster ${config.clusterName}`);
    await kind.loadImage(config.clusterName, image);
  }
  return handle;
}

/** Whether `kind create` failed because kubeadm's wait for the control plane ran out (before any node joined). */
export function controlPlaneNeverAnswered(err: unknown): boolean {
  return err instanceof HarnessError && /error execution phase wait-control-plane/.test(err.message);
}

/** Deletes the kind cluster if, and only if, this run created it and was not asked to keep it. */
export async function tearDownCluster(handle: ClusterHandle, log: (line: string) => void): Promise<void> {
  if (handle.mode !== 'kind' || !handle.clusterName) return;
  if (!handle.createdCluster) {
    log(`[wc] leaving kind cluster ${handle.clusterName} as it was (this run did not create it)`);
    return;
  }
  if (handle.keepCluster) {
    log(`[wc] keeping kind cluster ${handle.clusterName} (WC_KEEP_CLUSTER); kubeconfig: ${handle.kubeconfigPath}`);
    return;
  }
  log(`[wc] deleting kind cluster ${handle.clusterName}`);
  await new KindCli(handle.kindBin).delete(handle.clusterName, handle.kubeconfigPath);
}

/** Whether every node of the cluster is a container of this machine's Docker engine (by kind's label and its address). */
async function kindNodesHere(kube: ReturnType<typeof connect>): Promise<boolean> {
  const nodes = (await kube.core.listNode()).items;
  const here = await Promise.all(nodes.map((node) => isNodeContainerHere(node)));
  return nodes.length > 0 && here.every(Boolean);
}
