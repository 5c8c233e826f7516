// What a lost node looks like from the API: the node's Ready condition and the node controller's taints, and the
// life of every pod of a namespace while it happens (where each ran, when it was seen Ready, when its deletion was
// first seen). Times are this process's clock when the watch saw the change: the node's own clock is gone with it.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { isPodReady } from './conditions.ts';
import { consistently } from './consistently.ts';
import type { Place } from './kube.ts';
import { nodes, pods } from './sources.ts';
import type { Selection } from './sources.ts';
import { waitFor } from './wait.ts';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** The node's Ready condition status: True, False, Unknown (the node controller's verdict on a silent node), or absent. */
export const nodeReadyStatus = (node: V1Node): string | undefined =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

export const hasNoExecuteTaint = (node: V1Node, key: string): boolean =>
  node.spec?.taints?.some((t) => t.key === key && t.effect === 'NoExecute') ?? false;

/**
 * The workers a node-loss test may stop and move work to: not the control plane (losing it loses the cluster), Ready,
 * schedulable, untainted (a taint would be some other test's or the admin's). Sorted by name.
 */
export function healthyWorkers(all: V1Node[]): string[] {
  return all.filter((n) => n.metadata?.labels?.[CONTROL_PLANE_LABEL] === undefined && nodeReadyStatus(n) === 'True' &&
    !n.spec?.unschedulable && !(n.spec?.taints?.length))
    .map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
}

/** One pod's life as the watch saw it, first-seen times in epoch ms. */
export interface PodSighting {
  name: string;
  uid: string;
  /** Its app.kubernetes.io/name label: which workload it belongs to. */
  app?: string;
  node?: string;
  firstSeenAtMs: number;
  readyAtMs?: number;
  /** First seen not Ready after having been Ready (the node controller marks a lost node's pods so). */
  notReadyAtMs?: number;
  /** First seen with a deletionTimestamp (the taint manager's eviction, a delete). */
  deletionSeenAtMs?: number;
  /** The pod's NoExecute tolerations of an unreachable node, in seconds (undefined: tolerated forever). */
  unreachableTolerationSeconds?: number[];
  phase?: string;
  ready: boolean;
  terminating: boolean;
  /** Still listed when the recording ended. */
  present: boolean;
}

/** Folds one state of the pods into the sightings (by uid), at `nowMs`. */
export function recordPods(sightings: Map<string, PodSighting>, items: V1Pod[], nowMs: number): void {
  const listed = new Set<string>();
  for (const pod of items) {
    const uid = pod.metadata?.uid ?? '';
    listed.add(uid);
    const ready = isPodReady(pod);
    const terminating = Boolean(pod.metadata?.deletionTimestamp);
    const seen = sightings.get(uid) ?? {
      name: pod.metadata?.name ?? '', uid, firstSeenAtMs: nowMs, ready, terminating, present: true,
      ...(pod.metadata?.labels?.['app.kubernetes.io/name'] ? { app: pod.metadata.labels['app.kubernetes.io/name'] } : {}),
      unreachableTolerationSeconds: (pod.spec?.tolerations ?? [])
        .filter((t) => (t.key === UNREACHABLE_TAINT || (t.key === undefined && t.operator === 'Exists')) && (t.effect ?? 'NoExecute') === 'NoExecute')
        .map((t) => t.tolerationSeconds ?? Number.POSITIVE_INFINITY),
    };
    if (pod.spec?.nodeName) seen.node = pod.spec.nodeName;
    if (ready) seen.readyAtMs ??= nowMs;
    else if (seen.readyAtMs !== undefined) seen.notReadyAtMs ??= nowMs;
    if (terminating) seen.deletionSeenAtMs ??= nowMs;
    if (pod.status?.phase) seen.phase = pod.status.phase;
    Object.assign(seen, { ready, terminating, present: true });
    sightings.set(uid, seen);
  }
  for (const seen of sightings.values()) if (!listed.has(seen.uid)) seen.present = false;
}

/** Records the namespace's pods (narrowed by `selection`) for `windowMs`: every change the watch sees. */
export async function recordPodsFor(place: Place, windowMs: number, selection: Selection = {},
  now: () => number = Date.now): Promise<Map<string, PodSighting>> {
  const sightings = new Map<string, PodSighting>();
  await consistently({
    ...pods(place.kube, place.ns, selection),
    description: `recording the pods of ${place.ns} for ${Math.round(windowMs / 1000)} s`,
    windowMs,
    predicate: (items) => {
      recordPods(sightings, items, now());
      return { done: true, value: undefined };
    },
  });
  return sightings;
}

/** When the node was first seen not Ready (False or Unknown) and first seen with the unreachable NoExecute taint. */
export interface NodeMarks {
  notReadyAtMs?: number;
  readyStatus?: string;
  taintedAtMs?: number;
}

/** Watches the node until it is seen both not Ready and tainted unreachable (NoExecute). */
export async function awaitNodeUnreachable(place: Pick<Place, 'kube'>, node: string, timeoutMs: number,
  now: () => number = Date.now): Promise<Required<NodeMarks>> {
  const marks: NodeMarks = {};
  return waitFor({
    ...nodes(place.kube, { name: node }),
    description: `node ${node} to turn not Ready and be tainted ${UNREACHABLE_TAINT}:NoExecute`,
    timeoutMs,
    predicate: ([seen]) => {
      if (!seen) return { fatal: `node ${node} is gone from the API` };
      const status = nodeReadyStatus(seen);
      if (status !== 'True' && marks.notReadyAtMs === undefined) Object.assign(marks, { notReadyAtMs: now(), readyStatus: status ?? 'absent' });
      if (hasNoExecuteTaint(seen, UNREACHABLE_TAINT)) marks.taintedAtMs ??= now();
      return marks.notReadyAtMs !== undefined && marks.taintedAtMs !== undefined ? { done: true, value: marks as Required<NodeMarks> }
        : { done: false, note: `Ready=${status ?? 'absent'}, taints: ${(seen.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(', ') || 'none'}` };
    },
  });
}

/** Watches the node until it is Ready and carries neither the unreachable nor the not-ready taint. */
export async function awaitNodeBack(place: Pick<Place, 'kube'>, node: string, timeoutMs: number): Promise<V1Node> {
  return waitFor({
    ...nodes(place.kube, { name: node }),
    description: `node ${node} to be Ready again, its unreachable and not-ready taints removed`,
    timeoutMs,
    predicate: ([seen]) => {
      if (!seen) return { fatal: `node ${node} is gone from the API` };
      const taints = (seen.spec?.taints ?? []).filter((t) => t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT);
      return nodeReadyStatus(seen) === 'True' && taints.length === 0 ? { done: true, value: seen }
        : { done: false, note: `Ready=${nodeReadyStatus(seen) ?? 'absent'}, taints: ${taints.map((t) => `${t.key}:${t.effect}`).join(', ') || 'none'}` };
    },
  });
}
