import type { V1Pod } from '@kubernetes/client-node';
import { podReplaced } from '../conditions.ts';
import { retrying } from '../kube.ts';
import type { Place } from './place.ts';
import { awaitPod, readPod } from './pods.ts';

export interface Replacement {
  before: V1Pod;
  after: V1Pod;
  elapsedMs: number;
}

/**
 * Deletes a controller-owned pod and waits for its controller's replacement (same name, new uid) to be Ready.
 * The old pod is read first so "replaced" is judged by uid, never by name.
 */
export async function deletePodAndAwaitReplacement(place: Place, name: string, timeoutMs = 120_000): Promise<Replacement> {
  const started = Date.now();
  const before = await readPod(place, name);
  const oldUid = before.metadata?.uid ?? '';
  await retrying(`deleting pod ${name}`, () => place.kube.core.deleteNamespacedPod({ name, namespace: place.ns }));
  const after = await awaitPod(place, name, podReplaced(oldUid),
    `pod ${name} (uid ${oldUid}) to be replaced by a new Ready pod of the same name`, timeoutMs);
  return { before, after, elapsedMs: Date.now() - started };
}
