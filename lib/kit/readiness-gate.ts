// A readiness gate the test holds: the pod's readiness probe is `cat <file>` (periodSeconds 1), so the pod
// stays not-ready until the test creates the file, and turns Ready at the next probe after it does.
import type { V1Pod } from '@kubernetes/client-node';
import { blockedReason } from './conditions.ts';
import type { Place } from './kube.ts';
import { awaitPod } from './pods.ts';
import { execInPod } from './exec.ts';
import type { Predicate } from './wait.ts';

export const READY_FILE = '/tmp/ready';

/**
 * The container is running now. Phase Running is not enough to exec into it: a pod whose container failed to
 * start (StartError) and waits in CrashLoopBackOff is phase Running too.
 */
export const containerRunning = (container: string): Predicate<V1Pod, V1Pod> => (items) => {
  const pod = items[0];
  const blocked = pod && blockedReason(pod);
  if (blocked) return { fatal: blocked };
  const status = pod?.status?.containerStatuses?.find((c) => c.name === container);
  if (pod && status?.state?.running) return { done: true, value: pod };
  const waiting = status?.state?.waiting?.reason;
  return { done: false, note: `${container} ${waiting ? `waiting (${waiting})` : 'not running'}` };
};

/**
 * Creates the gate file in the pod once its container runs: its readiness probe passes from the next period
 * on. The file is on an emptyDir, so it outlives a restart of the container.
 */
export async function openReadinessGate(place: Place, pod: string, container = 'app', file = READY_FILE): Promise<void> {
  await awaitPod(place, pod, containerRunning(container), `container ${container} of pod ${pod} to run`);
  const { stderr, exitCode } = await execInPod(place.kube, place.ns, pod, container, ['touch', file], 30_000);
  if (exitCode !== 0) throw new Error(`creating ${file} in pod ${pod} failed (exit ${exitCode}): ${stderr.trim()}`);
}
