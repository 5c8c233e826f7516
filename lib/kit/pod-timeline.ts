// A running record of what happened to a set of pods — created, ready, not-ready, terminating, exited,
// deleted — in the order the watch delivered it, with wall-clock times. It is the rollout check's pod
// observer (lib/kit/pod-observer.ts: list, then watch, re-list when the watch ends) with "version"
// meaning whatever the caller says, e.g. a StatefulSet pod's controller-revision-hash.
import type { V1Pod } from '@kubernetes/client-node';
import type { Place } from './kube.ts';
import { pollUntil } from './poll.ts';
import type { PodEvent, PodEventKind } from './pod-observer.ts';
import { PodObserver } from './pod-observer.ts';

export type { PodEvent, PodEventKind };

export interface PodTimeline {
  /** In the order the watch delivered them: one watch stream, so in the API server's order. */
  readonly events: readonly PodEvent[];
  /** Wall-clock ms when the timeline started: the origin of `relative`. */
  readonly startedAt: number;
  /** The events with times in ms since the start, for reports. */
  relative(): Array<Omit<PodEvent, 'at'> & { atMs: number }>;
  /** Names of the pods recorded and not yet seen deleted. */
  live(): string[];
  /**
   * Resolves once the recorded events satisfy `done`. The timeline's watch is a stream of its own, which can
   * trail another watch that already saw the end state: a verdict drawn from the timeline waits for it here.
   */
  until(description: string, done: (events: readonly PodEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): void;
}

/**
 * Starts recording the pods matching `labelSelector` (resolves once the first list is in, so anything
 * created afterwards arrives as a watch event). Stop it when done: it watches until stopped.
 */
export async function startPodTimeline(place: Place, labelSelector: string,
  versionOf: (pod: V1Pod) => string | undefined = (pod) => pod.metadata?.labels?.['controller-revision-hash']): Promise<PodTimeline> {
  const observer = new PodObserver(place.kube, place.ns, labelSelector, versionOf);
  const startedAt = Date.now();
  await observer.start();
  return {
    events: observer.events,
    startedAt,
    relative: () => observer.events.map(({ at, ...rest }) => ({ ...rest, atMs: Math.round(at - startedAt) })),
    live: () => [...observer.pods.values()].filter((p) => p.deletedAt === undefined).map((p) => p.name),
    // Reads the in-memory record only (every 50 ms): what it reads was observed by the watch.
    until: async (description, done, timeoutMs = 60_000) => {
      await pollUntil({ description: `the pod timeline to show ${description}`, probe: async () => observer.events, done,
        timeoutMs, intervalMs: 50, show: (events) => `${events.length} events, last ${JSON.stringify(events.at(-1))}` });
    },
    stop: () => observer.stop(),
  };
}
