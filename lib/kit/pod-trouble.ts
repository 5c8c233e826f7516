// Fail fast when a rolled workload's pods cannot run: an image that cannot be pulled, a pod the scheduler
// cannot place (the kit's blockedReason), or a container in CrashLoopBackOff. Without
// this a broken workload is a 5-minute "available 0/3" timeout instead of an immediate, named failure.
import type { V1Pod } from '@kubernetes/client-node';
import { blockedReason } from './conditions.ts';

// Only the kubelet's own verdict that a container keeps failing: a single RunContainerError can be transient
// (seen here: runc "unable to freeze" on a starved node, gone at the next attempt).
const CRASHING = new Set(['CrashLoopBackOff']);

/** Why this (not terminating) pod of the workload will not serve, or undefined. */
export function podTrouble(pod: V1Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const blocked = blockedReason(pod);
  if (blocked) return blocked;
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && CRASHING.has(waiting.reason)) {
      const last = c.lastState?.terminated;
      const exit = last ? `; last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
      return `pod ${pod.metadata?.name} container ${c.name} is ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${exit}`;
    }
  }
  return undefined;
}
