import type { V1Node } from '@kubernetes/client-node';
import type { Place } from './kube.ts';
import { retrying } from './kube.ts';
import { nodes } from './sources.ts';
import { bytes, millicores } from './quantities.ts';

// What the nodes say they have, read from the API rather than assumed: a request "larger than any node can
// allocate" and the kubelet's oom_score_adj formula (which divides by the node's memory capacity) both
// depend on it, and these differ between a laptop, a CI runner and a 2-core VM.

export interface NodeResources {
  name: string;
  allocatableMillicores: number;
  allocatableBytes: number;
  capacityMillicores: number;
  capacityBytes: number;
}

export function nodeResources(node: V1Node): NodeResources {
  const name = node.metadata?.name ?? '?';
  const figure = (map: Record<string, string> | undefined, key: string): string => {
    const value = map?.[key];
    if (value === undefined) throw new Error(`node ${name} reports no ${key} in its status`);
    return value;
  };
  return {
    name,
    allocatableMillicores: millicores(figure(node.status?.allocatable, 'cpu')),
    allocatableBytes: bytes(figure(node.status?.allocatable, 'memory')),
    capacityMillicores: millicores(figure(node.status?.capacity, 'cpu')),
    capacityBytes: bytes(figure(node.status?.capacity, 'memory')),
  };
}

/** The largest allocatable CPU and memory of any one node: a pod asking for more fits nowhere. */
export function largestAllocatable(all: NodeResources[]): { millicores: number; bytes: number } {
  if (!all.length) throw new Error('the cluster has no nodes');
  return {
    millicores: Math.max(...all.map((n) => n.allocatableMillicores)),
    bytes: Math.max(...all.map((n) => n.allocatableBytes)),
  };
}

export async function readNodeResources(place: Pick<Place, 'kube'>): Promise<NodeResources[]> {
  const { items } = await retrying('listing the nodes', nodes(place.kube).list);
  return items.map(nodeResources);
}
