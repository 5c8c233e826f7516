import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

// What the kubelet reports about a container's previous end. Under restartPolicy Always the container is
// back (or backing off) by the time anyone looks, so the end it came to is in lastState, not state.

export interface Termination {
  exitCode: number;
  reason?: string;
  signal?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerHistory {
  restartCount: number;
  lastTermination?: Termination;
}

/** Init containers first, then the app containers: names are unique across both in a pod. */
export function allContainerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The status of one container, init container or not. */
export function containerStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  return allContainerStatuses(pod).find((status) => status.name === container);
}

export function containerHistory(pod: V1Pod, container: string): ContainerHistory {
  return historyOf(containerStatus(pod, container));
}

export function historyOf(status: V1ContainerStatus | undefined): ContainerHistory {
  const terminated = status?.lastState?.terminated;
  return {
    restartCount: status?.restartCount ?? 0,
    lastTermination: terminated === undefined ? undefined : {
      exitCode: terminated.exitCode,
      reason: terminated.reason,
      signal: terminated.signal,
      startedAt: isoOf(terminated.startedAt),
      finishedAt: isoOf(terminated.finishedAt),
    },
  };
}

function isoOf(time: Date | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}

/** How long the container ran before that end, in seconds (API times have one-second resolution). */
export function ranSeconds(termination: Termination | undefined): number | undefined {
  if (termination?.startedAt === undefined || termination.finishedAt === undefined) return undefined;
  return (Date.parse(termination.finishedAt) - Date.parse(termination.startedAt)) / 1000;
}

/** 137 = 128 + SIGKILL, the exit code of a process the kernel's OOM killer ended. */
export const OOM_EXIT_CODE = 137;

/** The reason the runtime gives a container the kernel's OOM killer ended (from the cgroup's OOM event). */
export const OOM_REASON = 'OOMKilled';

/**
 * Whether the container's previous end was the OOM killer's: restarted, exit 137 **and** the runtime's reason
 * OOMKilled. Exit 137 alone is any SIGKILL (a kill -9, the kubelet at the end of a grace period); the reason comes
 * from the cgroup's own OOM event, which containerd reports reliably since its fix of late 2025 (it used to lose
 * the event now and then: kubernetes #119600). `evidence` says what decided: always the reason, never the cgroup's
 * own oom_kill count (a restarted container has a new cgroup, and the pod's is out of the container's sight).
 */
export function memoryKill(history: ContainerHistory): { killed: boolean; evidence: string } {
  const end = history.lastTermination;
  if (history.restartCount === 0 || end === undefined) return { killed: false, evidence: 'no previous end recorded' };
  const seen = `exit code ${end.exitCode}, reason ${end.reason ?? '(none)'}`;
  if (end.exitCode !== OOM_EXIT_CODE) return { killed: false, evidence: `${seen}: not a SIGKILL` };
  if (end.reason !== OOM_REASON) return { killed: false, evidence: `${seen}: a SIGKILL, but not the OOM killer's (decided by the reason: the runtime saw no OOM event in the container's cgroup)` };
  return { killed: true, evidence: `${seen}: decided by the reason, the runtime's OOM event for the container's cgroup` };
}

export function wasKilledForMemory(history: ContainerHistory): boolean {
  return memoryKill(history).killed;
}

/**
 * Seconds from the container's start to the pod turning Ready: how long a probe that gates readiness had
 * been passing when the pod got there (API times have one-second resolution).
 */
export function readySinceStart(pod: V1Pod, container: string): number {
  const startedAt = containerStatus(pod, container)?.state?.running?.startedAt;
  const readyAt = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  if (startedAt === undefined || readyAt === undefined) {
    throw new Error(`pod ${pod.metadata?.name}: no start time or Ready transition for container ${container}`);
  }
  return (new Date(readyAt).getTime() - new Date(startedAt).getTime()) / 1000;
}
