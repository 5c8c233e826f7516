// A readiness gate the test holds: the pod's readiness probe is `cat <file>` (periodSeconds 1), so the pod
// stays not-ready until the test creates the file, and turns Ready at the next probe after it does.
import type { Place } from '../drivers/place.ts';
import { execInPod } from '../exec.ts';

export const READY_FILE = '/tmp/ready';

/** Creates the gate file in the pod: its readiness probe passes from the next period on. */
export async function openReadinessGate(place: Place, pod: string, container = 'app', file = READY_FILE): Promise<void> {
  const { stderr, exitCode } = await execInPod(place.kube, place.ns, pod, container, ['touch', file], 30_000);
  if (exitCode !== 0) throw new Error(`creating ${file} in pod ${pod} failed (exit ${exitCode}): ${stderr.trim()}`);
}
