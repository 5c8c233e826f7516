// What a pod timeline (pod-timeline.ts) says about the order in which a StatefulSet controller created,
// removed and replaced its pods. Pure functions of the event list; order is the list's order (one watch
// stream, delivered in the API server's order), never timestamps, which tie at this resolution.
import type { V1Pod } from '@kubernetes/client-node';
import { isPodReady } from './conditions.ts';
import type { PodEvent, PodEventKind } from './pod-timeline.ts';

/** The ordinal of a StatefulSet pod: the number after the last dash of its name. */
export function ordinalOf(pod: string): number {
  const match = /-(\d+)$/.exec(pod);
  if (!match) throw new Error(`${pod} is not a StatefulSet pod name (<set>-<ordinal>)`);
  return Number(match[1]);
}

/** Pod names in the order of their `kind` events (a name recurs when its pod is recreated). */
export function orderOf(events: readonly PodEvent[], kind: PodEventKind): string[] {
  return events.filter((e) => e.kind === kind).map((e) => e.pod);
}

export interface EarlyCreation {
  pod: string;
  predecessor: string;
  /** What the predecessor's readiness was when the pod was created. */
  predecessorWas: 'absent' | 'not-ready';
}

/**
 * Pods created while the pod of the previous ordinal was not (yet) Ready: what OrderedReady forbids and
 * Parallel allows. Empty when every pod N+1 came after pod N turned Ready.
 */
export function createdBeforePredecessorReady(events: readonly PodEvent[]): EarlyCreation[] {
  const ready = new Map<string, boolean>();
  const early: EarlyCreation[] = [];
  for (const e of events) {
    if (e.kind === 'created') {
      const ordinal = ordinalOf(e.pod);
      if (ordinal > 0) {
        const predecessor = e.pod.replace(/\d+$/, String(ordinal - 1));
        const state = ready.get(predecessor);
        if (state !== true) early.push({ pod: e.pod, predecessor, predecessorWas: state === undefined ? 'absent' : 'not-ready' });
      }
      ready.set(e.pod, false);
    } else if (e.kind === 'ready') ready.set(e.pod, true);
    else if (e.kind === 'not-ready') ready.set(e.pod, false);
    else if (e.kind === 'deleted') ready.delete(e.pod);
  }
  return early;
}

export interface Removal {
  pod: string;
  /** Indexes into the event list. */
  terminating: number;
  deleted?: number;
}

/** Each pod's removal, from its terminating event to its deleted event, in the order they began. */
export function removals(events: readonly PodEvent[]): Removal[] {
  const open = new Map<string, Removal>();
  const all: Removal[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'terminating') {
      const removal: Removal = { pod: e.pod, terminating: i };
      open.set(e.pod, removal);
      all.push(removal);
    } else if (e.kind === 'deleted') {
      const removal = open.get(e.pod);
      if (removal) removal.deleted = i;
      open.delete(e.pod);
    }
  });
  return all;
}

/** Pairs of removals under way at the same time: none when pods are removed one at a time. */
export function overlappingRemovals(events: readonly PodEvent[]): Array<[string, string]> {
  const all = removals(events);
  const pairs: Array<[string, string]> = [];
  all.forEach((a, i) => {
    for (const b of all.slice(i + 1)) {
      if (a.deleted === undefined || b.terminating < a.deleted) pairs.push([a.pod, b.pod]);
    }
  });
  return pairs;
}

export interface UpdateStep {
  pod: string;
  /** Index of the old pod's terminating event. */
  terminating: number;
  /** Index of the replacement's first ready event (a pod of that name on another version). */
  replacementReady?: number;
}

/**
 * The rolling update of pods on `fromVersion`, step by step in the order the old pods were terminated: each
 * step's old pod and when its replacement turned Ready.
 */
export function updateSteps(events: readonly PodEvent[], fromVersion: string): UpdateStep[] {
  const steps: UpdateStep[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'terminating' && e.version === fromVersion) steps.push({ pod: e.pod, terminating: i });
  });
  for (const step of steps) {
    const ready = events.findIndex((e, i) => i > step.terminating && e.pod === step.pod && e.kind === 'ready' && e.version !== fromVersion);
    if (ready >= 0) step.replacementReady = ready;
  }
  return steps;
}

/** Steps that began before the previous step's replacement was Ready: none in a one-at-a-time update. */
export function stepsStartedEarly(steps: readonly UpdateStep[]): string[] {
  return steps.slice(1).filter((step, i) => {
    const previous = steps[i]!;
    return previous.replacementReady === undefined || step.terminating < previous.replacementReady;
  }).map((step) => step.pod);
}

/**
 * A violation test for consistently(): while pod `<set>-<held>` is held not-ready, no pod of a higher ordinal
 * may exist (OrderedReady creates pod N+1 only once pod N is Ready). The held pod turning Ready breaks the
 * premise of the window, and is reported as such.
 */
export function successorWhileHeld(set: string, held: number): (pod: V1Pod) => string | undefined {
  return (pod) => {
    const name = pod.metadata?.name ?? '';
    if (!name.startsWith(`${set}-`)) return undefined;
    const ordinal = ordinalOf(name);
    if (ordinal > held) return `${name} exists while ${set}-${held} is held not-ready`;
    if (ordinal === held && isPodReady(pod)) return `${name} turned Ready: the window's premise (held not-ready) is gone`;
    return undefined;
  };
}
