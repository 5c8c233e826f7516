import type { V1StatefulSet } from '@kubernetes/client-node';
import { statefulSetReady } from '../conditions.ts';
import { statefulSets } from '../sources.ts';
import { waitFor } from '../wait.ts';
import type { Place } from './place.ts';

export function awaitStatefulSetReady(place: Place, name: string, replicas: number, timeoutMs = 180_000): Promise<V1StatefulSet> {
  return waitFor({ ...statefulSets(place.kube, place.ns, { name }), description: `StatefulSet ${name} to have ${replicas} Ready replicas`,
    predicate: statefulSetReady(replicas), timeoutMs });
}
