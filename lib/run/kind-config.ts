import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isMap, isSeq, parseDocument } from 'yaml';
import { HarnessError } from '../kit/errors.ts';
import { readPortMappings } from '../kit/node-ports.ts';

function portFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Before creating a cluster: every host port the config publishes must be free, or docker fails half-way
 * through `kind create cluster` with a message buried in its command line.
 */
export async function checkHostPortsFree(kindConfigPath: string): Promise<void> {
  const taken: string[] = [];
  for (const m of readPortMappings(kindConfigPath)) {
    if (!await portFree(m.listenAddress, m.hostPort)) taken.push(`${m.listenAddress}:${m.hostPort}`);
  }
  if (taken.length) {
    throw new HarnessError('checking the host ports', `host ${taken.length > 1 ? 'ports' : 'port'} ${taken.join(', ')} (extraPortMappings in ${kindConfigPath}) ${taken.length > 1 ? 'are' : 'is'} already in use`,
      'another kind cluster made from this config is probably running (kind get clusters): reuse it with WC_CLUSTER_NAME ' +
      'or WC_KUBECONFIG, delete it, or set WC_KIND_CONFIG to a config with other host ports');
  }
}

/** A host port that moved: `from` was taken, `to` is the free one the copy maps instead. */
export interface MovedPort {
  containerPort: number;
  listenAddress: string;
  from: number;
  to: number;
}

/** The first free port on `address` from `start` up, skipping `avoid` (ports already handed out). */
async function freePortFrom(address: string, start: number, avoid: Set<number>): Promise<number> {
  for (let port = start; port < 65536; port++) {
    if (!avoid.has(port) && await portFree(address, port)) return port;
  }
  throw new HarnessError('choosing free host ports', `no free port on ${address} from ${start} up`, 'free some ports, or set WC_KIND_CONFIG to a config with other host ports');
}

/**
 * For a run that must not depend on what else this machine runs (CI): the kind config as it is when all its host
 * ports are free, else a copy at `copyPath` in which each taken host port is replaced by the first free one
 * from 1000 above it (outside Linux's ephemeral range, so no client connection takes it meanwhile). Only host
 * ports change: the node ports behind them, and comments, stay; the harness follows the copy's mappings.
 */
export async function withFreeHostPorts(kindConfigPath: string, copyPath: string): Promise<{ path: string; moved: MovedPort[] }> {
  const mappings = readPortMappings(kindConfigPath);
  const given = new Set(mappings.map((m) => m.hostPort));
  const moved: MovedPort[] = [];
  for (const m of mappings) {
    if (await portFree(m.listenAddress, m.hostPort)) continue;
    const to = await freePortFrom(m.listenAddress, m.hostPort + 1000, given);
    given.add(to);
    moved.push({ containerPort: m.containerPort, listenAddress: m.listenAddress, from: m.hostPort, to });
  }
  if (!moved.length) return { path: kindConfigPath, moved };
  const doc = parseDocument(readFileSync(kindConfigPath, 'utf8'));
  const nodes = doc.get('nodes');
  for (const node of isSeq(nodes) ? nodes.items : []) {
    const ports = isMap(node) ? node.get('extraPortMappings') : undefined;
    for (const item of isSeq(ports) ? ports.items : []) {
      if (!isMap(item)) continue;
      const hostPort = Number(item.get('hostPort') ?? item.get('containerPort'));
      const move = moved.find((mv) => mv.from === hostPort && mv.containerPort === Number(item.get('containerPort')));
      if (move) item.set('hostPort', move.to);
    }
  }
  writeFileSync(copyPath, doc.toString());
  return { path: copyPath, moved };
}

/** The kubelet setting a cgroup v1 host needs from Kubernetes 1.35 on (KEP-5573): without it the kubelet refuses to start. */
export const CGROUP_V1_KUBELET_PATCH = 'kind: KubeletConfiguration\nfailCgroupV1: false\n';

/** The kind config with one more entry in a list of patches (kubeadmConfigPatches, containerdConfigPatches). */
function withPatch(text: string, field: 'kubeadmConfigPatches' | 'containerdConfigPatches', patch: string): string {
  const doc = parseDocument(text);
  const patches = doc.get(field);
  if (patches !== undefined && !isSeq(patches)) {
    throw new HarnessError('reading the kind config', `${field} is not a list`, `write ${field} as a YAML list of patches`);
  }
  if (isSeq(patches)) patches.add(doc.createNode(patch));
  else doc.set(field, doc.createNode([patch]));
  return doc.toString();
}

/**
 * The kind config for nodes on a host of the given cgroup version: on cgroup v1, and only there, every kubelet is
 * told `failCgroupV1: false` (one more kubeadmConfigPatches entry; the rest of the config as written). Kubernetes
 * deprecates cgroup v1 and will drop it: the run says so when it does this, rather than hide it.
 */
export function kindConfigForCgroup(text: string, cgroupVersion: 1 | 2): string {
  return cgroupVersion === 2 ? text : withPatch(text, 'kubeadmConfigPatches', CGROUP_V1_KUBELET_PATCH);
}

/** containerd reads per-registry hosts.toml files from here: how the nodes pull through the local registry (registry.ts). */
export const REGISTRY_CONFIG_PATCH = '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"';

/** The kind config with containerd told where the registry hosts files are (one more containerdConfigPatches entry). */
export function kindConfigWithRegistryHosts(text: string): string {
  return withPatch(text, 'containerdConfigPatches', REGISTRY_CONFIG_PATCH);
}

/**
 * The kind config with `nodes` nodes in all: its control-plane entries as written (their port mappings, patches),
 * then workers for the rest, each a plain `role: worker` (the cluster-wide patches apply to every node). Workers the
 * config already lists are replaced, so WC_NODES says the whole count. kind keeps the control plane's NoSchedule
 * taint once there are workers: workloads then run on the workers only.
 */
export function kindConfigWithNodes(text: string, nodes: number): string {
  const doc = parseDocument(text);
  const listed = doc.get('nodes');
  if (listed !== undefined && !isSeq(listed)) {
    throw new HarnessError('reading the kind config', 'nodes is not a list', 'write nodes as a YAML list of { role: control-plane | worker }');
  }
  const controlPlanes = isSeq(listed) ? listed.items.filter((n) => isMap(n) && n.get('role') === 'control-plane') : [];
  const kept = controlPlanes.length ? controlPlanes : [doc.createNode({ role: 'control-plane' })];
  if (nodes < kept.length) {
    throw new HarnessError('reading the kind config', `WC_NODES=${nodes} is fewer than the config's ${kept.length} control-plane nodes`,
      `set WC_NODES to at least ${kept.length}, or use a kind config with fewer control-plane nodes`);
  }
  const workers = Array.from({ length: nodes - kept.length }, () => doc.createNode({ role: 'worker' }));
  doc.set('nodes', doc.createNode([...kept, ...workers]));
  return doc.toString();
}

/** How many nodes a kind config makes (one when it lists none, as kind does). */
export function nodesInKindConfig(text: string): number {
  const listed = parseDocument(text).get('nodes');
  return isSeq(listed) && listed.items.length ? listed.items.length : 1;
}

/**
 * The config `kind create cluster` gets: a copy at `copyPath` of `kindConfigPath` with containerd's registry hosts
 * directory (kindConfigWithRegistryHosts), the node count asked for (kindConfigWithNodes) and, on a cgroup v1 host,
 * the kubelet setting it needs (kindConfigForCgroup).
 */
export function kindConfigForHost(kindConfigPath: string, copyPath: string, cgroupVersion: 1 | 2, nodes?: number): string {
  const text = kindConfigWithRegistryHosts(readFileSync(kindConfigPath, 'utf8'));
  writeFileSync(copyPath, kindConfigForCgroup(nodes === undefined ? text : kindConfigWithNodes(text, nodes), cgroupVersion));
  return copyPath;
}
