import type { V1Pod } from '@kubernetes/client-node';
import { podReplaced } from './conditions.ts';
import { execInPod } from './exec.ts';
import type { Place } from './kube.ts';
import { retrying } from './kube.ts';
import { pods } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import type { Predicate } from './wait.ts';
import { waitFor } from './wait.ts';

/** Waits on one pod by name. */
export function awaitPod<V>(place: Place, name: string, predicate: Predicate<V1Pod, V>, description: string,
  timeoutMs: number = TIMEOUTS.pod): Promise<V> {
  return waitFor({ ...pods(place.kube, place.ns, { name }), description, predicate, timeoutMs });
}

export function readPod(place: Place, name: string): Promise<V1Pod> {
  return retrying(`reading pod ${name}`, () => place.kube.core.readNamespacedPod({ name, namespace: place.ns }));
}

export function podIp(pod: V1Pod): string {
  const ip = pod.status?.podIP;
  if (!ip) throw new Error(`pod ${pod.metadata?.name} has no IP yet`);
  return ip;
}

export interface Replacement {
  before: V1Pod;
  after: V1Pod;
  elapsedMs: number;
}

/**
 * Deletes a controller-owned pod and waits for its controller's replacement (same name, new uid) to be Ready.
 * The old pod is read first so "replaced" is judged by uid, never by name.
 */
export async function deletePodAndAwaitReplacement(place: Place, name: string, timeoutMs: number = TIMEOUTS.pod): Promise<Replacement> {
  const started = Date.now();
  const before = await readPod(place, name);
  const oldUid = before.metadata?.uid ?? '';
  await retrying(`deleting pod ${name}`, () => place.kube.core.deleteNamespacedPod({ name, namespace: place.ns }));
  const after = await awaitPod(place, name, podReplaced(oldUid),
    `pod ${name} (uid ${oldUid}) to be replaced by a new Ready pod of the same name`, timeoutMs);
  return { before, after, elapsedMs: Date.now() - started };
}

/** A file's content read from inside a running container (trailing newline dropped). */
export async function readFileInPod(place: Place, pod: string, container: string, path: string): Promise<string> {
  const { stdout, stderr, exitCode } = await execInPod(place.kube, place.ns, pod, container, ['cat', path], TIMEOUTS.exec);
  if (exitCode !== 0) throw new Error(`reading ${path} in pod ${pod} failed (exit ${exitCode}): ${stderr.trim()}`);
  return stdout.replace(/\n$/, '');
}
