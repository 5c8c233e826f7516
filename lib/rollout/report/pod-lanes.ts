// Pod events → one lane per pod with the phases it went through, for the timeline picture.
// A phase ends where the next begins; the last one runs to the end of the picture.
import type { PodEvent } from '../../kit/pod-observer.ts';

export type LanePhase = 'starting' | 'ready' | 'not-ready' | 'draining' | 'exited';

export interface LaneSegment {
  phase: LanePhase;
  from: number;
  to: number;
}

export interface PodLane {
  pod: string;
  version?: string;
  segments: LaneSegment[];
  /** Exit detail ("exit 0 (Completed)") when the container exited. */
  exit?: { at: number; detail?: string };
}

function phaseAfter(kind: PodEvent['kind'], terminating: boolean): LanePhase | null {
  switch (kind) {
    case 'created': return 'starting';
    case 'ready': return terminating ? 'draining' : 'ready';
    case 'not-ready': return terminating ? 'draining' : 'not-ready';
    case 'terminating': return 'draining';
    case 'exited': return 'exited';
    case 'deleted': return null;
    // The container died and the kubelet starts it again: not serving until Ready again.
    case 'restarted': return terminating ? 'draining' : 'not-ready';
  }
}

export function podLanes(events: readonly PodEvent[], endAt: number): PodLane[] {
  const byPod = new Map<string, PodEvent[]>();
  for (const e of events) byPod.set(e.pod, [...(byPod.get(e.pod) ?? []), e]);
  const lanes: PodLane[] = [];
  for (const [pod, podEvents] of byPod) {
    const sorted = [...podEvents].sort((a, b) => a.at - b.at);
    const lane: PodLane = { pod, ...(sorted[0]?.version ? { version: sorted[0].version } : {}), segments: [] };
    let terminating = false;
    let exited = false;
    let current: { phase: LanePhase; from: number } | null = null;
    for (const e of sorted) {
      if (e.kind === 'terminating') terminating = true;
      if (e.kind === 'exited') {
        exited = true;
        lane.exit = { at: e.at, ...(e.detail ? { detail: e.detail } : {}) };
      }
      // After the exit only deletion matters; a late not-ready is just the kubelet catching up.
      const next = exited && e.kind !== 'exited' && e.kind !== 'deleted' ? 'exited' : phaseAfter(e.kind, terminating);
      if (current && (next === null || next !== current.phase)) {
        lane.segments.push({ ...current, to: e.at });
        current = null;
      }
      if (next !== null && !current) current = { phase: next, from: e.at };
    }
    if (current) lane.segments.push({ ...current, to: Math.max(endAt, current.from) });
    lanes.push(lane);
  }
  return lanes.sort((a, b) => (a.segments[0]?.from ?? 0) - (b.segments[0]?.from ?? 0));
}
