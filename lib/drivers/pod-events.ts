import type { CoreV1Event } from '@kubernetes/client-node';
import { retrying } from '../kube.ts';
import type { WaitSource } from '../wait.ts';
import { waitFor } from '../wait.ts';
import type { Place } from './place.ts';
import type { LivenessEvidence } from './probe-events.ts';
import { livenessEvidence, showsLivenessRestart } from './probe-events.ts';

/** The core/v1 events about one pod (the kubelet records probe failures and kills there). */
export function podEvents(place: Place, pod: string): WaitSource<CoreV1Event> {
  const query = { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}` };
  return {
    kind: 'Event', watch: place.kube.watch, watchQuery: query,
    watchPath: `/api/v1/namespaces/${place.ns}/events`,
    list: () => place.kube.core.listNamespacedEvent({ namespace: place.ns, ...query }),
  };
}

export function awaitLivenessEvidence(place: Place, pod: string, timeoutMs = 60_000): Promise<LivenessEvidence> {
  return waitFor({
    ...podEvents(place, pod),
    description: `the Unhealthy and Killing events of pod ${pod}'s liveness restart`,
    predicate: (events) => {
      const evidence = livenessEvidence(events, pod);
      return showsLivenessRestart(evidence) ? { done: true, value: evidence }
        : { done: false, note: `${evidence.unhealthy.length} Unhealthy, ${evidence.killing.length} Killing` };
    },
    timeoutMs,
  });
}

export async function readLivenessEvidence(place: Place, pod: string): Promise<LivenessEvidence> {
  const { items } = await retrying(`listing the events of pod ${pod}`, podEvents(place, pod).list);
  return livenessEvidence(items, pod);
}
