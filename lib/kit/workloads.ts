import type { V1StatefulSet } from '@kubernetes/client-node';
import { statefulSetReady } from './conditions.ts';
import type { Place } from './kube.ts';
import { statefulSets } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import { waitFor } from './wait.ts';

export function awaitStatefulSetReady(place: Place, name: string, replicas: number,
  timeoutMs: number = TIMEOUTS.workload): Promise<V1StatefulSet> {
  return waitFor({ ...statefulSets(place.kube, place.ns, { name }), description: `StatefulSet ${name} to have ${replicas} Ready replicas`,
    predicate: statefulSetReady(replicas), timeoutMs });
}
