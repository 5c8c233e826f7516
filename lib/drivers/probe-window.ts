import type { V1Pod } from '@kubernetes/client-node';
import { containerStatus } from './termination.ts';

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
