import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { isPodReady, isTerminating } from './conditions.ts';
import type { Kube } from './kube.ts';
import type { Selection } from './sources.ts';
import type { Predicate, WaitSource } from './wait.ts';

// What a ReplicaSet does about its pods: replaces the ones that go, adopts orphans its selector matches, and
// removes the surplus. A pod is the ReplicaSet's when its controller ownerReference names the set's uid.

export const replicaSets = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1ReplicaSet> => {
  const query = {
    ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
    ...(selection.name ? { fieldSelector: `metadata.name=${selection.name}` } : {}),
  };
  return {
    kind: 'ReplicaSet', watch: kube.watch, watchPath: `/apis/apps/v1/namespaces/${namespace}/replicasets`, watchQuery: query,
    list: () => kube.apps.listNamespacedReplicaSet({ namespace, ...query }),
  };
};

/** The ReplicaSet has seen its current spec and counts exactly `replicas` pods, all ready. */
export const replicaSetReady = (replicas: number): Predicate<V1ReplicaSet, V1ReplicaSet> => (items) => {
  const set = items[0];
  if (!set) return { done: false, note: 'no ReplicaSet yet' };
  const s = set.status;
  const done = (s?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && s?.replicas === replicas &&
    s?.readyReplicas === replicas;
  return done ? { done: true, value: set } : { done: false, note: `replicas ${s?.replicas ?? 0}, ready ${s?.readyReplicas ?? 0}/${replicas}` };
};

export function controllerUid(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
}

/**
 * Exactly `count` pods remain (none terminating), all Ready and owned by `ownerUid`, and at least one of them
 * was not among `before` (pod names): value, the pods that are new. A bare pod has no owner (`ownerUid`
 * undefined): then any pod with no controller counts, so the same check asks whether a bare pod was replaced.
 */
export const replacedUpTo = (count: number, ownerUid: string | undefined, before: ReadonlySet<string>): Predicate<V1Pod, V1Pod[]> => (items) => {
  const fresh = items.filter((p) => !before.has(p.metadata?.name ?? ''));
  const settled = items.length === count && items.every((p) => !isTerminating(p) && isPodReady(p) && controllerUid(p) === ownerUid);
  if (settled && fresh.length > 0) return { done: true, value: fresh };
  return { done: false, note: `${items.length} pods (${items.filter(isTerminating).length} terminating, ` +
    `${items.filter(isPodReady).length} Ready), ${fresh.length} new` };
};

/** Exactly `count` pods remain (none terminating), all Ready and owned by the set; value: their names. */
export const settledAt = (count: number, ownerUid: string): Predicate<V1Pod, string[]> => (items) => {
  const settled = items.length === count && items.every((p) => !isTerminating(p) && isPodReady(p) && controllerUid(p) === ownerUid);
  return settled ? { done: true, value: items.map((p) => p.metadata?.name ?? '').sort() }
    : { done: false, note: `${items.length} pods, ${items.filter(isTerminating).length} terminating, ` +
      `${items.filter((p) => controllerUid(p) === ownerUid).length} owned` };
};

/**
 * The pod (watched by name) carries a controller ownerReference to `ownerUid`; fatal if the pod disappears
 * before that was seen.
 */
export const adoptedBy = (ownerUid: string): Predicate<V1Pod, V1Pod> => {
  let seen = false;
  return (items) => {
    const pod = items[0];
    if (!pod) return seen ? { fatal: 'the pod was removed without ever being adopted' } : { done: false, note: 'not created yet' };
    seen = true;
    return controllerUid(pod) === ownerUid ? { done: true, value: pod } : { done: false, note: `controller: ${controllerUid(pod) ?? 'none'}` };
  };
};
