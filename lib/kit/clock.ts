import { execInPod } from './exec.ts';
import type { Place } from './kube.ts';

// The node's clock against this process's. A container's own marks and the kubelet's times are the node's clock;
// the moment this process sends a request is its own. On a remote cluster the two differ by whatever the skew is,
// so an interval from one to the other is never taken as it is: a moment of this process's is first put on the
// node's clock with an offset measured just before it, by reading the container's clock in one exec bracketed by
// this process's. The read happens late in that round trip: most of an exec's time is setting it up (API server,
// kubelet, runtime) before the command runs, and its output comes back at once. So offset = node - end of the
// round trip, and the true offset lies between that and that plus the round trip. (Measured on one kind node,
// where both clocks are one: the midpoint put the offset at +90..+358 ms, the end at a few tens of ms.)

export interface ClockOffset {
  /** node clock minus this process's clock, ms, taking the read at the end of the exec's round trip. */
  offsetMs: number;
  /** The exec's round trip: the true offset lies between offsetMs and offsetMs + uncertaintyMs. */
  uncertaintyMs: number;
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

/** A moment of this process's clock on the node's. */
export function onNodeClock(hostMs: number, offset: ClockOffset): number {
  return hostMs + offset.offsetMs;
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
