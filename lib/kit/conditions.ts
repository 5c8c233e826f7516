import type {
  V1ContainerStateTerminated, V1ContainerStatus, V1Deployment, V1Endpoint, V1EndpointSlice, V1Node,
  V1PersistentVolumeClaim, V1Pod, V1StatefulSet,
} from '@kubernetes/client-node';
import { allContainerStatuses, containerStatus } from './containers.ts';
import type { Predicate, WaitOutcome } from './wait.ts';

/** Container waiting reasons the kubelet will not get out of by itself. */
const STUCK_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull',
  'CreateContainerConfigError']);


/**
 * Why this pod can never start its containers, or undefined: an image that cannot be pulled, or a pod the
 * scheduler cannot place. Waiting on a PersistentVolumeClaim that is still binding is not such a reason.
 */
export function blockedReason(pod: V1Pod): string | undefined {
  const name = `pod ${pod.metadata?.name}`;
  for (const c of allContainerStatuses(pod)) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && STUCK_WAITING.has(waiting.reason)) {
      return `${name} container ${c.name} is ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
    }
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' &&
      !/persistentvolumeclaim|volume binding/i.test(scheduled.message ?? '')) {
    return `${name} is Unschedulable: ${scheduled.message ?? 'no reason given'}`;
  }
  return undefined;
}

/** Why this pod will never be Running again: blocked, or finished (Failed/Succeeded). */
export function neverRunningReason(pod: V1Pod): string | undefined {
  const blocked = blockedReason(pod);
  if (blocked) return blocked;
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') {
    const detail = pod.status?.reason || pod.status?.message ? ` (${[pod.status?.reason, pod.status?.message].filter(Boolean).join(': ')})` : '';
    const exits = allContainerStatuses(pod).map((c) => c.state?.terminated ? `${c.name} exit ${c.state.terminated.exitCode}` : '')
      .filter(Boolean).join(', ');
    return `pod ${pod.metadata?.name} is ${phase}${detail}${exits ? `; ${exits}` : ''}`;
  }
  return undefined;
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(obj: { metadata?: { deletionTimestamp?: unknown } }): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

const notYet = <V>(note?: string): WaitOutcome<V> => (note ? { done: false, note } : { done: false });

/** Every matched pod (at least `count`) satisfies `ok`; stops on any pod that can never get there. */
function everyPod(ok: (pod: V1Pod) => boolean, what: string, count = 1,
  fatal: (pod: V1Pod) => string | undefined = neverRunningReason): Predicate<V1Pod, V1Pod[]> {
  return (items) => {
    const live = items.filter((p) => !isTerminating(p));
    for (const pod of live) {
      const reason = fatal(pod);
      if (reason) return { fatal: reason };
    }
    const good = live.filter(ok);
    if (good.length >= count && good.length === live.length) return { done: true, value: good };
    return notYet(`${good.length}/${Math.max(count, live.length)} pods ${what}`);
  };
}

export const podRunning = (count = 1): Predicate<V1Pod, V1Pod[]> =>
  everyPod((p) => p.status?.phase === 'Running', 'Running', count);

export const podReady = (count = 1): Predicate<V1Pod, V1Pod[]> => everyPod(isPodReady, 'Ready', count);

export const podSucceeded = (): Predicate<V1Pod, V1Pod[]> => everyPod((p) => p.status?.phase === 'Succeeded', 'Succeeded', 1,
  (p) => blockedReason(p) ?? (p.status?.phase === 'Failed' ? neverRunningReason(p) : undefined));

/** A pod with a different uid than `oldUid` (the same name, recreated) is Ready. */
export const podReplaced = (oldUid: string): Predicate<V1Pod, V1Pod> => (items) => {
  const fresh = items.filter((p) => p.metadata?.uid !== oldUid && !isTerminating(p));
  for (const pod of fresh) {
    const reason = neverRunningReason(pod);
    if (reason) return { fatal: reason };
  }
  const ready = fresh.find(isPodReady);
  return ready ? { done: true, value: ready } : notYet(fresh.length ? 'replacement not Ready yet' : 'old pod still present');
};

/** The first matched pod that has a status for `container` (init or app), or the first pod. */
function findContainer(items: V1Pod[], container: string): { pod?: V1Pod; status?: V1ContainerStatus } {
  for (const pod of items) {
    const status = containerStatus(pod, container);
    if (status) return { pod, status };
  }
  return { pod: items[0] };
}

/**
 * The container has restarted at least `times` times and its status records how the run before the latest
 * restart ended (lastState.terminated); value: its status. The kubelet can publish a restart count without
 * that record when it no longer has the previous container (seen once in 24 runs of the OOM case: restarts=1,
 * no last state, "previous terminated container not found"): that status is evidence of nothing a caller
 * judges, so the wait goes on to a restart whose end is recorded (a crashing container restarts again).
 */
export const containerRestarted = (container: string, times = 1): Predicate<V1Pod, V1ContainerStatus> => (items) => {
  const { pod, status } = findContainer(items, container);
  const blocked = pod && blockedReason(pod);
  if (blocked) return { fatal: blocked };
  if (status && status.restartCount >= times) {
    if (status.lastState?.terminated) return { done: true, value: status };
    return notYet(`${container} restarts=${status.restartCount}/${times}, but the end of its last run is not recorded`);
  }
  if (pod?.status?.phase === 'Failed' || pod?.status?.phase === 'Succeeded') {
    return { fatal: `pod ${pod.metadata?.name} is ${pod.status.phase}: it will not restart ${container} again` };
  }
  return notYet(`${container} restarts=${status?.restartCount ?? 0}/${times}`);
};

/**
 * The container has terminated (now, or before its latest restart); value: that termination
 * (exit code, reason, times).
 */
export const containerTerminated = (container: string): Predicate<V1Pod, V1ContainerStateTerminated> => (items) => {
  const { pod, status } = findContainer(items, container);
  const blocked = pod && blockedReason(pod);
  if (blocked) return { fatal: blocked };
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
  if (terminated) return { done: true, value: terminated };
  return notYet(status ? `${container} has not terminated` : `${container} has no status yet`);
};

/** Flattened endpoints of a Service's EndpointSlices. */
export function endpointsOf(slices: V1EndpointSlice[], service: string): V1Endpoint[] {
  return slices.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === service && !isTerminating(s))
    .flatMap((s) => s.endpoints ?? []);
}

/** The Service's endpoints (across all its slices) satisfy `ok`; value: those endpoints. */
export const endpointsFor = (service: string, ok: (endpoints: V1Endpoint[]) => boolean, what = 'the expected endpoints'):
Predicate<V1EndpointSlice, V1Endpoint[]> => (items) => {
  const endpoints = endpointsOf(items, service);
  if (ok(endpoints)) return { done: true, value: endpoints };
  const shown = endpoints.map((e) => `${e.addresses?.join('/')}(ready=${e.conditions?.ready},serving=${e.conditions?.serving},` +
    `terminating=${e.conditions?.terminating})`).join(' ');
  return notYet(`service ${service} not yet ${what}: [${shown}]`);
};

export const statefulSetReady = (replicas: number): Predicate<V1StatefulSet, V1StatefulSet> => (items) => {
  const set = items[0];
  if (!set) return notYet('no StatefulSet yet');
  const s = set.status;
  const done = (s?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && (s?.readyReplicas ?? 0) >= replicas &&
    (s?.updatedReplicas ?? 0) >= replicas && s?.currentRevision === s?.updateRevision;
  return done ? { done: true, value: set } : notYet(`ready ${s?.readyReplicas ?? 0}/${replicas}`);
};

/** The Deployment has rolled out `generation` (default: its current one) with every replica available. */
export const deploymentRolledOut = (generation?: number): Predicate<V1Deployment, V1Deployment> => (items) => {
  const d = items[0];
  if (!d) return notYet('no Deployment yet');
  const want = generation ?? d.metadata?.generation ?? 0;
  const s = d.status;
  const replicas = d.spec?.replicas ?? 1;
  const stalled = s?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { fatal: `deployment ${d.metadata?.name} exceeded its progress deadline: ${stalled.message}` };
  const done = (s?.observedGeneration ?? 0) >= want && (s?.updatedReplicas ?? 0) === replicas &&
    (s?.availableReplicas ?? 0) === replicas && (s?.replicas ?? 0) === replicas && !s?.unavailableReplicas;
  return done ? { done: true, value: d }
    : notYet(`updated ${s?.updatedReplicas ?? 0}/${replicas}, available ${s?.availableReplicas ?? 0}/${replicas}, total ${s?.replicas ?? 0}`);
};

export const pvcBound = (): Predicate<V1PersistentVolumeClaim, V1PersistentVolumeClaim> => (items) => {
  const claim = items[0];
  if (claim?.status?.phase === 'Bound') return { done: true, value: claim };
  if (claim?.status?.phase === 'Lost') return { fatal: `claim ${claim.metadata?.name} is Lost` };
  return notYet(`claim ${claim?.metadata?.name ?? '?'} is ${claim?.status?.phase ?? 'absent'}`);
};

export const nodesReady = (count = 1): Predicate<V1Node, V1Node[]> => (items) => {
  const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return ready.length >= count && ready.length === items.length ? { done: true, value: ready }
    : notYet(`${ready.length}/${Math.max(count, items.length)} nodes Ready`);
};

/** Nothing matched any more (e.g. a namespace after deletion). */
export const gone = <T>(): Predicate<T, true> =>
  (items) => (items.length === 0 ? { done: true, value: true } : notYet(`${items.length} still present`));

/** At least one object matched (e.g. a namespace's default ServiceAccount has been created). */
export const present = <T>(): Predicate<T, T> =>
  (items) => (items[0] !== undefined ? { done: true, value: items[0] } : notYet('not created yet'));
