// Fail fast when a rolled workload's pods cannot run: an image that cannot be pulled, a pod the scheduler
// cannot place (the kit's blockedReason), or a container in CrashLoopBackOff. Without
// this a broken workload is a 5-minute "available 0/3" timeout instead of an immediate, named failure.
import type { V1Pod } from '@kubernetes/client-node';
import { blockedReason } from './conditions.ts';

// Only the kubelet's own verdict that a container keeps failing: a single RunContainerError can be transient
// (seen here: runc "unable to freeze" on a starved node, gone at the next attempt).
const CRASHING = new Set(['CrashLoopBackOff']);
// Start failures the kubelet is allowed to retry before they count (each retry waits a back-off: 10, 20, 40 s).
const STARTERROR_RETRIES = 3;

/** Why this (not terminating) pod of the workload will not serve, or undefined. */
export function podTrouble(pod: V1Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const blocked = blockedReason(pod);
  if (blocked) return blocked;
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    const last = c.lastState?.terminated;
    // A back-off after the runtime failed to start the container (StartError, exit 128: runc "unable to freeze"
    // on a starved cgroup v1 node) is the runtime's trouble, retried by the kubelet, not the workload crashing.
    if (last?.reason === 'StartError' && c.restartCount < STARTERROR_RETRIES) continue;
    if (waiting?.reason && CRASHING.has(waiting.reason)) {
      const exit = last ? `; last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
      return `pod ${pod.metadata?.name} container ${c.name} is ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${exit}`;
    }
  }
  return undefined;
}
