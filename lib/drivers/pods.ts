import type { V1Pod } from '@kubernetes/client-node';
import { retrying } from '../kube.ts';
import { pods } from '../sources.ts';
import type { Predicate } from '../wait.ts';
import { waitFor } from '../wait.ts';
import type { Place } from './place.ts';

/** Waits on one pod by name. */
export function awaitPod<V>(place: Place, name: string, predicate: Predicate<V1Pod, V>, description: string,
  timeoutMs = 120_000): Promise<V> {
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
