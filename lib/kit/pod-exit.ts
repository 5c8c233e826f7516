import type { V1ContainerStateTerminated, V1Pod } from '@kubernetes/client-node';
import { retrying } from './kube.ts';
import { pods } from './sources.ts';
import type { Predicate } from './wait.ts';
import type { ClockOffset } from './clock.ts';
import { measureClockOffset, onNodeClock } from './clock.ts';
import type { Place } from './kube.ts';
import { waitFromNow } from './watch-first.ts';

// A deleted pod takes its logs and volumes with it. What survives long enough to be read is the status the
// kubelet reports while the pod terminates: state.terminated (exit code, reason, times, and the termination
// message file's content). The kubelet writes that final status before it removes the pod object, so a watch
// opened before the delete sees it, in a MODIFIED event ahead of the DELETED one.

export interface Exit {
  /** The container's final state as the kubelet reported it. */
  terminated: V1ContainerStateTerminated;
  /** Client clock, just before the delete call was sent. */
  deleteSentAtMs: number;
  /**
   * The same moment on the node's clock (the container's marks and the kubelet's times are on it): the client's,
   * moved by an offset measured in the container just before the delete. Intervals to node times start here.
   */
  deleteSentAtNodeMs: number;
  /** The measured offset (node - client) and its uncertainty. */
  clock: ClockOffset;
  /** Client clock, when the watch delivered the terminated state (lags the exit by the kubelet's status sync). */
  observedAtMs: number;
  /** The grace period the API server recorded with the deletion. */
  deletionGracePeriodSeconds?: number;
}

/**
 * The container's terminated state once the pod is being deleted; fatal when the pod goes (or was never
 * there) without that state having been seen, since nothing can be learned about its end afterwards.
 */
export function terminatedWhileDeleting(container: string): Predicate<V1Pod, { pod: V1Pod; terminated: V1ContainerStateTerminated }> {
  let seen = false;
  return (items) => {
    const pod = items[0];
    if (!pod) {
      return seen ? { fatal: `the pod was removed before ${container}'s termination was reported` }
        : { done: false, note: 'the pod is not there' };
    }
    seen = true;
    const status = pod.status?.containerStatuses?.find((c) => c.name === container);
    const terminated = status?.state?.terminated;
    if (pod.metadata?.deletionTimestamp && terminated) return { done: true, value: { pod, terminated } };
    return { done: false, note: pod.metadata?.deletionTimestamp ? `${container} still running, pod terminating` : 'not deleted yet' };
  };
}

/**
 * Deletes the pod (with its own terminationGracePeriodSeconds) and returns how its container ended. The watch has
 * listed before the delete is sent, so the final status cannot slip past between the two.
 */
export async function deletePodAndCaptureExit(place: Place, name: string, container: string, timeoutMs = 120_000): Promise<Exit> {
  let observedAtMs = 0;
  const predicate = terminatedWhileDeleting(container);
  const { result } = await waitFromNow({
    ...pods(place.kube, place.ns, { name }),
    description: `pod ${name} to report how ${container} ended after its deletion`,
    predicate: (items) => {
      const outcome = predicate(items);
      if ('done' in outcome && outcome.done) observedAtMs = Date.now();
      return outcome;
    },
    timeoutMs,
  });
  const clock = await measureClockOffset(place, name, container);
  const deleteSentAtMs = Date.now();
  await retrying(`deleting pod ${name}`, () => place.kube.core.deleteNamespacedPod({ name, namespace: place.ns }));
  const { pod, terminated } = await result;
  return { terminated, deleteSentAtMs, deleteSentAtNodeMs: onNodeClock(deleteSentAtMs, clock), clock, observedAtMs,
    deletionGracePeriodSeconds: pod.metadata?.deletionGracePeriodSeconds };
}

/** Seconds from the delete to the container's end as the runtime recorded it (API times: whole seconds), on the node's clock. */
export function deleteToExitSeconds(exit: Pick<Exit, 'terminated' | 'deleteSentAtNodeMs'>): number | undefined {
  const finishedAt = exit.terminated.finishedAt;
  return finishedAt === undefined ? undefined : (new Date(finishedAt).getTime() - exit.deleteSentAtNodeMs) / 1000;
}
