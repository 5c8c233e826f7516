import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Place } from './kube.ts';
import { retrying } from './kube.ts';
import { events, pods } from './sources.ts';
import { waitFor } from './wait.ts';
import type { Holds } from './consistently.ts';
import { consistently, holdsAsOutcome } from './consistently.ts';

// A pod the scheduler cannot place: it stays Pending with no node, its PodScheduled condition is False with
// reason Unschedulable, and the scheduler says why in that condition and in a FailedScheduling event
// ("0/1 nodes are available: 1 Insufficient cpu. ..."). The resource named there is what the checks look for,
// so a pod unschedulable for another reason (a taint, a volume) does not pass for one that asked too much.

export type SchedulingResource = 'cpu' | 'memory';

/**
 * Why the scheduler could not place a pod, as its messages say it: lack of a resource ("Insufficient cpu"), or a
 * constraint it could not meet, named by what its message says ("didn't match pod topology spread constraints").
 */
export type SchedulingCause = SchedulingResource | { name: string; pattern: RegExp };

export const TOPOLOGY_SPREAD: SchedulingCause = { name: 'the topology spread constraint', pattern: /didn't match pod topology spread constraints/ };
export const ANTI_AFFINITY: SchedulingCause = { name: 'the pod anti-affinity rule', pattern: /didn't match pod anti-affinity rules/ };

export interface UnschedulableState {
  phase: string;
  message: string;
}

const insufficient = (cause: SchedulingCause): RegExp => typeof cause === 'string' ? new RegExp(`Insufficient ${cause}\\b`) : cause.pattern;
const lackOf = (cause: SchedulingCause): string => typeof cause === 'string' ? `lack of ${cause}` : cause.name;

/** Holds while the one matched pod is Pending, on no node, and Unschedulable for lack of `resource`. */
export function unschedulableFor(resource: SchedulingCause): (items: V1Pod[]) => Holds<UnschedulableState> {
  return (items) => {
    const pod = items[0];
    if (!pod) return { holds: false, reason: 'the pod does not exist' };
    const name = `pod ${pod.metadata?.name}`;
    const phase = pod.status?.phase ?? '(none)';
    if (pod.spec?.nodeName) return { holds: false, reason: `${name} was bound to node ${pod.spec.nodeName}` };
    if (phase !== 'Pending') return { holds: false, reason: `${name} is ${phase}` };
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!scheduled) return { holds: false, reason: `${name} has no PodScheduled condition yet` };
    const said = `PodScheduled=${scheduled.status} (${scheduled.reason ?? 'no reason'}: ${scheduled.message ?? ''})`;
    if (scheduled.status !== 'False' || scheduled.reason !== 'Unschedulable') return { holds: false, reason: `${name} has ${said}` };
    if (!insufficient(resource).test(scheduled.message ?? '')) {
      return { holds: false, reason: `${name} is Unschedulable, but not for ${lackOf(resource)}: ${said}` };
    }
    return { holds: true, value: { phase, message: scheduled.message ?? '' } };
  };
}

/** The scheduler's first verdict: the pod became Unschedulable for lack of `resource`. Fails if it gets a node. */
export function awaitUnschedulable(place: Place, pod: string, resource: SchedulingCause,
  timeoutMs = 60_000): Promise<UnschedulableState> {
  const check = unschedulableFor(resource);
  return waitFor({
    ...pods(place.kube, place.ns, { name: pod }),
    description: `pod ${pod} to be found Unschedulable for ${lackOf(resource)}`,
    predicate: (items) => {
      if (items[0]?.spec?.nodeName) return { fatal: `pod ${pod} was scheduled to ${items[0].spec.nodeName}` };
      const outcome = check(items);
      return holdsAsOutcome(outcome);
    },
    timeoutMs,
  });
}

/** Watches the pod for `windowMs`: it must stay Pending and Unschedulable for lack of `resource` throughout. */
export function staysUnschedulable(place: Place, pod: string, resource: SchedulingCause, windowMs: number) {
  return consistently({
    ...pods(place.kube, place.ns, { name: pod }),
    description: `pod ${pod} Pending and Unschedulable for ${lackOf(resource)}`,
    predicate: (items) => holdsAsOutcome(unschedulableFor(resource)(items)),
    windowMs,
  });
}

export interface FailedScheduling {
  message: string;
  /** How many times the scheduler reported it (the event's count, or its series' count). */
  count: number;
}

export function failedSchedulingFor(events: readonly CoreV1Event[], pod: string,
  resource: SchedulingCause): FailedScheduling | undefined {
  const event = events.filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === pod &&
    e.reason === 'FailedScheduling' && insufficient(resource).test(e.message ?? '')).at(-1);
  if (!event) return undefined;
  return { message: event.message ?? '', count: Math.max(event.count ?? 1, event.series?.count ?? 1) };
}

/** The scheduler's FailedScheduling event about the pod, naming `resource`. */
export function awaitFailedScheduling(place: Place, pod: string, resource: SchedulingCause,
  timeoutMs = 60_000): Promise<FailedScheduling> {
  return waitFor({
    ...events(place.kube, place.ns, { kind: 'Pod', name: pod }),
    description: `a FailedScheduling event of pod ${pod} naming ${lackOf(resource)}`,
    predicate: (events) => {
      const found = failedSchedulingFor(events, pod, resource);
      return found ? { done: true, value: found } : { done: false, note: `${events.length} events, none FailedScheduling for ${lackOf(resource)}` };
    },
    timeoutMs,
  });
}

/** The FailedScheduling event as it stands now (its count grows with every failed scheduling attempt). */
export async function readFailedScheduling(place: Place, pod: string, resource: SchedulingCause): Promise<FailedScheduling | undefined> {
  const { items } = await retrying(`listing the events of pod ${pod}`, events(place.kube, place.ns, { kind: 'Pod', name: pod }).list);
  return failedSchedulingFor(items, pod, resource);
}
