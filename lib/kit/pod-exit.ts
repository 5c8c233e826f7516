import type { CoreV1Event, V1ContainerStateTerminated, V1Pod } from '@kubernetes/client-node';
import { retrying } from './kube.ts';
import type { Place } from './kube.ts';
import { events, pods } from './sources.ts';
import type { Predicate } from './wait.ts';
import { waitFor } from './wait.ts';
import { waitFromNow } from './watch-first.ts';

// A deleted pod takes its logs and volumes with it. What survives long enough to be read is the status the
// kubelet reports while the pod terminates: state.terminated (exit code, reason, times, and the termination
// message file's content). The kubelet writes that final status before it removes the pod object, so a watch
// opened before the delete sees it, in a MODIFIED event ahead of the DELETED one.
//
// The clocks: the container's marks and the runtime's finishedAt are its node's clock, and so is the kubelet's
// Killing event ("Stopping container ..."), which the kubelet records as it acts on the delete, before the preStop
// hook and the grace period start. Intervals "since the kubelet acted" are taken from that event, on the node's
// clock alone; this process's clock (the delete call, the watch's sight) is never subtracted from a node time.

export interface Exit {
  /** The container's final state as the kubelet reported it. */
  terminated: V1ContainerStateTerminated;
  /** Client clock, just before the delete call was sent (only for intervals to other client times). */
  deleteSentAtMs: number;
  /** Client clock, when the watch delivered the terminated state (lags the exit by the kubelet's status sync). */
  observedAtMs: number;
  /** The grace period the API server recorded with the deletion. */
  deletionGracePeriodSeconds?: number;
  /** The API server's deadline, its clock: the delete's time plus the grace period (whole seconds). */
  deletionTimestamp?: string;
  /** The kubelet's Killing event for the container: when it acted on the delete, on the node's clock. */
  kubeletActed: KubeletAct;
}

/** The kubelet's Killing event, the first thing it does on a delete: no later than the grace period's start. */
export interface KubeletAct {
  /** The event's time on the node's clock, ms: its eventTime, else its firstTimestamp (whole seconds, truncated). */
  atMs: number;
  message: string;
}

/** The kubelet's message when a failed probe, not a delete, made it kill the container. */
const PROBE_KILL = /failed (liveness|startup) probe/;

/**
 * The kubelet's Killing event for `container` of the pod with this uid ("Stopping container X" on a delete), or
 * undefined while it is not there. The earliest one when several are.
 */
export function kubeletKilling(items: readonly CoreV1Event[], uid: string, container: string): KubeletAct | undefined {
  const acts = items
    .filter((e) => e.reason === 'Killing' && e.involvedObject.uid === uid && e.involvedObject.fieldPath === `spec.containers{${container}}`)
    // A probe's kill of an earlier run of the container ("Container x failed liveness probe, will be restarted") is
    // no act on the delete: taken for one, it made a delete look 13 s slow (seen on the audit's slow starter).
    .filter((e) => !PROBE_KILL.test(e.message ?? ''))
    .flatMap((e): KubeletAct[] => {
      const at = e.eventTime ?? e.firstTimestamp;
      return at === undefined ? [] : [{ atMs: new Date(at).getTime(), message: e.message ?? '' }];
    });
  return acts.sort((a, b) => a.atMs - b.atMs)[0];
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
 * listed before the delete is sent, so the final status cannot slip past between the two. The pod is this uid (given,
 * or read first), named as the delete's precondition and the only one the watch reads: a pod of the same name made
 * since (a StatefulSet's replacement) is never the one deleted nor the one judged.
 */
export async function deletePodAndCaptureExit(place: Place, target: string | { name: string; uid: string }, container: string,
  timeoutMs = 120_000): Promise<Exit> {
  const name = typeof target === 'string' ? target : target.name;
  const uid = typeof target === 'string'
    ? (await retrying(`reading pod ${name}`, () => place.kube.core.readNamespacedPod({ name, namespace: place.ns }))).metadata!.uid!
    : target.uid;
  let observedAtMs = 0;
  const predicate = terminatedWhileDeleting(container);
  const stop = new AbortController();
  const { result } = await waitFromNow({
    ...pods(place.kube, place.ns, { name }),
    description: `pod ${name} to report how ${container} ended after its deletion`,
    predicate: (items) => {
      const outcome = predicate(items.filter((p) => p.metadata?.uid === uid));
      if ('done' in outcome && outcome.done) observedAtMs = Date.now();
      return outcome;
    },
    timeoutMs,
    signal: stop.signal,
  });
  const deleteSentAtMs = Date.now();
  try {
    await retrying(`deleting pod ${name}`, () => place.kube.core.deleteNamespacedPod({ name, namespace: place.ns, body: { preconditions: { uid } } }));
  } catch (err) {
    // Nothing will end: the wait must not outlive the failure.
    stop.abort(new Error(`the delete failed: ${(err as Error).message}`));
    throw err;
  }
  const { pod, terminated } = await result;
  // The kubelet records its events asynchronously: the Killing event may reach the API after the exit does.
  const kubeletActed = await waitFor({
    ...events(place.kube, place.ns, { kind: 'Pod', name }),
    description: `the kubelet's Killing event for ${name}/${container}`,
    predicate: (items) => {
      const act = kubeletKilling(items, uid, container);
      return act ? { done: true, value: act } : { done: false, note: `${items.length} events, no Killing for ${container}` };
    },
    timeoutMs: 30_000,
  });
  return { terminated, deleteSentAtMs, observedAtMs, kubeletActed, deletionGracePeriodSeconds: pod.metadata?.deletionGracePeriodSeconds,
    ...(pod.metadata?.deletionTimestamp ? { deletionTimestamp: new Date(pod.metadata.deletionTimestamp).toISOString() } : {}) };
}

/**
 * Seconds from the kubelet's act on the delete to a node time (a mark, finishedAt at `resolutionMs`), both on the
 * node's clock: the most it can be. The act came no sooner than its Killing event, which is truncated to the second
 * (the event's time and the node time's each up to their resolution early), so the true interval is at most this:
 * "exited within X of the kubelet's act" holds when this is under X, and a kubelet that waited G from its act shows
 * at least G here.
 */
export function sinceKubeletActed(act: KubeletAct, nodeMs: number, resolutionMs = 0): number {
  return (nodeMs + resolutionMs - act.atMs) / 1000;
}

/** finishedAt, like every API time but eventTime, is whole seconds, truncated. */
const FINISHED_AT_RESOLUTION_MS = 1000;

/** At most this many seconds from the kubelet's act on the delete to the container's exit by the runtime's finishedAt (node clock). */
export function actToFinishedSeconds(exit: Exit): number | undefined {
  const finishedAt = exit.terminated.finishedAt;
  return finishedAt === undefined ? undefined : sinceKubeletActed(exit.kubeletActed, new Date(finishedAt).getTime(), FINISHED_AT_RESOLUTION_MS);
}
