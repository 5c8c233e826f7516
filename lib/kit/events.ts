import type { CoreV1Event } from '@kubernetes/client-node';
import type { Kube, Place } from './kube.ts';
import { retrying } from './kube.ts';
import type { Involved } from './sources.ts';
import { events } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import { waitFor } from './wait.ts';

/** The events of a namespace as they are now, optionally only those about one kind and/or object. */
export async function listEvents(kube: Kube, namespace: string, about: Involved = {}): Promise<CoreV1Event[]> {
  const what = about.name ? `${about.kind ?? 'object'} ${about.name}` : about.kind ? `${about.kind} objects` : `namespace ${namespace}`;
  const { items } = await retrying(`listing the events of ${what}`, events(kube, namespace, about).list);
  return items;
}

// The kubelet's account of a liveness failure: Warning Unhealthy ("Liveness probe failed: ...") for each failed
// probe, then Normal Killing ("Container app failed liveness probe, will be restarted").

export interface LivenessEvidence {
  unhealthy: string[];
  killing: string[];
}

export function livenessEvidence(events: readonly CoreV1Event[], pod: string): LivenessEvidence {
  const forPod = events.filter((event) => event.involvedObject.kind === 'Pod' && event.involvedObject.name === pod);
  const messages = (reason: string, pattern: RegExp) => forPod
    .filter((event) => event.reason === reason && pattern.test(event.message ?? ''))
    .map((event) => event.message ?? '');
  return {
    unhealthy: messages('Unhealthy', /^Liveness probe failed/),
    killing: messages('Killing', /failed liveness probe/),
  };
}

export function showsLivenessRestart(evidence: LivenessEvidence): boolean {
  return evidence.unhealthy.length > 0 && evidence.killing.length > 0;
}

export function awaitLivenessEvidence(place: Place, pod: string, timeoutMs: number = TIMEOUTS.assert): Promise<LivenessEvidence> {
  return waitFor({
    ...events(place.kube, place.ns, { kind: 'Pod', name: pod }),
    description: `the Unhealthy and Killing events of pod ${pod}'s liveness restart`,
    predicate: (items) => {
      const evidence = livenessEvidence(items, pod);
      return showsLivenessRestart(evidence) ? { done: true, value: evidence }
        : { done: false, note: `${evidence.unhealthy.length} Unhealthy, ${evidence.killing.length} Killing` };
    },
    timeoutMs,
  });
}

export async function readLivenessEvidence(place: Place, pod: string): Promise<LivenessEvidence> {
  return livenessEvidence(await listEvents(place.kube, place.ns, { kind: 'Pod', name: pod }), pod);
}
