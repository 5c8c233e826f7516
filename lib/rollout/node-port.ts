// The rollout workload's Service is a NodePort Service. Where this machine reaches it through kind's port mapping
// (kind-config.yaml publishes NodePort 30080 on 127.0.0.1) it takes that fixed port (constants.ts); everywhere else
// it lets the API allocate one (nodePort 0): on an existing cluster (WC_KUBECONFIG, without WC_ROLLOUT_TARGET) this
// machine then tries a node's address at the allocated port, and the in-cluster generator needs no NodePort at all.
//
// Only one Service in a cluster can hold a fixed port: another run sharing the cluster, or the namespace of a run
// that died and is being swept, may still hold it when a case starts. The API would answer a raw 422 ("provided
// port is already allocated"); instead the case waits, with a stated bound, for a holder of this suite's to go (a
// swept namespace's Service is gone well within it; a case of this file frees it at its end), and says who holds
// it when the bound passes. A Service the suite did not make is never waited for: it is named at once.
import type { V1Node, V1Service } from '@kubernetes/client-node';
import { HarnessError } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { statusOf } from '../kit/kube.ts';
import { MANAGED_BY, MANAGED_BY_VALUE, RUN_LABEL } from '../kit/labels.ts';
import { allServices } from '../kit/sources.ts';
import type { Predicate } from '../kit/wait.ts';
import { waitFor, WaitTimeoutError } from '../kit/wait.ts';

/** How long a case waits for a NodePort another Service of this suite holds: a swept namespace empties within it. */
export const NODE_PORT_WAIT_MS = 90_000;

export interface PortHolder {
  namespace: string;
  service: string;
  /** The run that made it, when the suite did. */
  run?: string;
  ours: boolean;
}

/** The Services holding `nodePort`, and whether this suite made each. */
export function nodePortHolders(services: V1Service[], nodePort: number): PortHolder[] {
  return services.filter((s) => (s.spec?.ports ?? []).some((p) => p.nodePort === nodePort)).map((s) => {
    const labels = s.metadata?.labels ?? {};
    const run = labels[RUN_LABEL];
    return { namespace: s.metadata?.namespace ?? '?', service: s.metadata?.name ?? '?', ...(run ? { run } : {}),
      ours: labels[MANAGED_BY] === MANAGED_BY_VALUE };
  });
}

export function describeHolder(h: PortHolder): string {
  return `Service ${h.service} in namespace ${h.namespace}${h.run ? ` (run ${h.run} of this suite)` : h.ours ? ' (made by this suite)' : ''}`;
}

/** Free once nobody holds the port; fatal at once when a Service this suite did not make holds it. */
export const nodePortFree = (nodePort: number, seen: { holders: PortHolder[] }): Predicate<V1Service, void> => (items) => {
  seen.holders = nodePortHolders(items, nodePort);
  const foreign = seen.holders.filter((h) => !h.ours);
  if (foreign.length) {
    return { fatal: `NodePort ${nodePort} is held by ${foreign.map(describeHolder).join(', ')}, which this suite did not make` };
  }
  return seen.holders.length === 0 ? { done: true, value: undefined }
    : { done: false, note: `held by ${seen.holders.map(describeHolder).join(', ')}` };
};

/**
 * Returns once `nodePort` is free in the cluster (see the file comment), else one sentence naming who holds it.
 * `since`: when the case first asked for the port (a second wait within the same bound reports the whole time).
 */
export async function awaitNodePortFree(kube: Kube, nodePort: number, log?: (line: string) => void, timeoutMs = NODE_PORT_WAIT_MS,
  since = Date.now()): Promise<void> {
  const seen: { holders: PortHolder[] } = { holders: [] };
  try {
    await waitFor({ ...allServices(kube), description: `NodePort ${nodePort} to be free for this case's Service`,
      predicate: nodePortFree(nodePort, seen), timeoutMs, ...(log ? { log } : {}) });
  } catch (err) {
    const fix = 'let the run that holds it finish (a dead run\'s namespaces are swept once its lease has expired, 90 s after ' +
      'its process stopped: `npx workload-conformance sweep`), or run the rolling-update behaviour on a cluster where ' +
      `NodePort ${nodePort} is free, or reach this one as an existing cluster (WC_KUBECONFIG, without WC_ROLLOUT_TARGET), where ` +
      'its Service takes a NodePort the API allocates';
    if (err instanceof WaitTimeoutError) {
      throw new HarnessError('creating the rollout workload', `NodePort ${nodePort} is still held after ${Math.round((Date.now() - since) / 1000)} s by ` +
        `${seen.holders.map(describeHolder).join(', ')}`, fix);
    }
    if (seen.holders.some((h) => !h.ours)) {
      throw new HarnessError('creating the rollout workload', `NodePort ${nodePort} is held by ${seen.holders.filter((h) => !h.ours).map(describeHolder).join(', ')}, ` +
        'which this suite did not make', `free NodePort ${nodePort} on this cluster, or run the rolling-update behaviour on another one, ` +
        'or reach this one as an existing cluster (WC_KUBECONFIG, without WC_ROLLOUT_TARGET), where its Service takes a NodePort the API allocates');
    }
    throw err;
  }
}

/** The API's answer when a Service asks for a NodePort another Service holds (a race past awaitNodePortFree). */
export function portAlreadyAllocated(err: unknown): boolean {
  return statusOf(err) === 422 && /port is already allocated/.test(err instanceof Error ? err.message : String(err));
}

/**
 * The NodePort the rollout Service asks for: the fixed one only when the load may come from this machine through a
 * target that names it (kind's port mapping, or WC_ROLLOUT_TARGET); otherwise 0, and the API allocates one.
 */
export function rolloutNodePort(where: 'auto' | 'host' | 'pod', hostTarget: string | undefined, fixed: number): number {
  return where !== 'pod' && hostTarget !== undefined ? fixed : 0;
}

/** A node's address as this machine may reach it, and the node's name (for messages). */
export interface NodeAddress {
  node: string;
  address: string;
}

/**
 * Where this machine can try a NodePort the API allocated: the first Ready node (by name) with an address, its
 * ExternalIP when it has one (the address meant for clients outside the cluster), else its InternalIP (a kind
 * node's address on the Docker network). An IPv6 address comes bracketed, ready for a URL.
 */
export function nodeAddressForHost(nodes: V1Node[]): NodeAddress | undefined {
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const node of ready) {
    const addresses = node.status?.addresses ?? [];
    const address = (addresses.find((a) => a.type === 'ExternalIP') ?? addresses.find((a) => a.type === 'InternalIP'))?.address;
    if (address) return { node: node.metadata?.name ?? '?', address: address.includes(':') ? `[${address}]` : address };
  }
  return undefined;
}
