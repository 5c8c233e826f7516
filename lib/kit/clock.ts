import { execInPod } from './exec.ts';
import type { Place } from './kube.ts';

// The node's clock against this process's. A container's own marks and the kubelet's times are the node's clock;
// the moment this process sends a request is its own. On a remote cluster the two differ by whatever the skew is,
// so an interval from one to the other is never taken as it is: a moment of this process's is first put on the
// node's clock with an offset measured just before it, by reading the container's clock in one exec bracketed by
// this process's. The read happened somewhere in that round trip, so the true offset lies between
// node - end of the round trip (offsetMs) and node - its start (offsetMs + uncertaintyMs), whatever the skew: a
// moment of this process's lands on the node's clock as a bracket [earliestMs, latestMs], and an interval from it to
// a node time as a span [least, most]. A check that an interval is at least X uses `least`, one that it is at most X
// uses `most`: each holds for every offset the read allows, so neither the skew nor the round trip can pass it.
// A slow round trip only widens the span; a check that takes the end of the span nearest the truth is not hurt by
// it: a client's sight of something after a node mark (secondsTo(...).least) uses the earliest end, which is node
// minus the end of the round trip, where the read is (seen on one kind node, where both clocks are one: round trips
// 0.2-3 s on a busy 2-core machine, the read itself within 10-76 ms of the round trip's end).

export interface ClockOffset {
  /** node clock minus this process's clock, ms, taking the read at the end of the exec's round trip. */
  offsetMs: number;
  /** The exec's round trip: the true offset lies between offsetMs and offsetMs + uncertaintyMs. */
  uncertaintyMs: number;
}

/** A moment of this process's clock on the node's: somewhere in [earliestMs, latestMs]. */
export interface NodeMoment {
  earliestMs: number;
  latestMs: number;
}

/** Seconds between a NodeMoment and a node time: the least and the most it can be. */
export interface Span {
  least: number;
  most: number;
}

/** The command that prints the container's wall clock in seconds with microseconds (busybox `ts '%.s'`). */
export const CLOCK_COMMAND = ['sh', '-c', 'echo clock | ts %.s'];

/** "1796436304.123456 clock" -> ms; undefined when the output is not that. */
export function parseClock(stdout: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s+clock\s*$/m.exec(stdout);
  return match ? Number(match[1]) * 1000 : undefined;
}

/** The offset from the container's clock read between `beforeMs` and `afterMs` of this process's clock. */
export function offsetOf(nodeMs: number, beforeMs: number, afterMs: number): ClockOffset {
  return { offsetMs: nodeMs - afterMs, uncertaintyMs: afterMs - beforeMs };
}

/** A moment of this process's clock on the node's: the bracket every offset the read allows puts it in. */
export function onNodeClock(hostMs: number, offset: ClockOffset): NodeMoment {
  return { earliestMs: hostMs + offset.offsetMs, latestMs: hostMs + offset.offsetMs + offset.uncertaintyMs };
}

/** Seconds from a node time to a moment placed on the node's clock (a first sight by this process's watch). */
export function secondsTo(fromNodeMs: number, to: NodeMoment): Span {
  return { least: (to.earliestMs - fromNodeMs) / 1000, most: (to.latestMs - fromNodeMs) / 1000 };
}

/** Measures the offset of a running container's (its node's) clock from this process's. */
export async function measureClockOffset(place: Place, pod: string, container: string): Promise<ClockOffset> {
  const beforeMs = Date.now();
  const result = await execInPod(place.kube, place.ns, pod, container, CLOCK_COMMAND);
  const afterMs = Date.now();
  const nodeMs = parseClock(result.stdout);
  if (result.exitCode !== 0 || nodeMs === undefined) {
    throw new Error(`reading the clock of ${pod}/${container} failed (exit ${result.exitCode}): ${result.stdout}${result.stderr}`);
  }
  return offsetOf(nodeMs, beforeMs, afterMs);
}
