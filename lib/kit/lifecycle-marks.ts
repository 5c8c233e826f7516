// The workloads of the pod-lifecycle behaviours write one line per event they live through, stamped with
// the container's wall clock in microseconds (busybox date has no sub-second format): by busybox ash's
// $EPOCHREALTIME where the moment matters to a fraction of a second (a signal handler: no fork), else `ts '%.s'`:
//   1795431367.132517 task-start
// The lines go where the evidence survives the container: a shared emptyDir for init containers, the
// termination message file (/dev/termination-log, reported in state.terminated.message) for a pod being
// deleted, whose logs and volumes go with it.

export interface Mark {
  event: string;
  /** Epoch milliseconds (the container's clock: on kind, the same kernel clock the test runs on). */
  atMs: number;
}

const LINE = /^(\d+(?:\.\d+)?)\s+(\S.*?)\s*$/;

/** Every well-formed line, in the order written; anything else (a truncated last line) is left out. */
export function parseMarks(text: string | undefined): Mark[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const match = LINE.exec(line.trim());
    return match ? [{ event: match[2]!, atMs: Number(match[1]) * 1000 }] : [];
  });
}

/** When `event` was first marked, or undefined. */
export function markAt(marks: readonly Mark[], event: string): number | undefined {
  return marks.find((m) => m.event === event)?.atMs;
}

/**
 * The events, in the order asked, were each marked and at non-decreasing times; `undefined` when so,
 * otherwise a sentence saying which one is missing or out of order.
 */
export function orderViolation(marks: readonly Mark[], events: readonly string[]): string | undefined {
  let previous: { event: string; atMs: number } | undefined;
  for (const event of events) {
    const atMs = markAt(marks, event);
    if (atMs === undefined) return `${event} was never marked (marks: ${marks.map((m) => m.event).join(', ') || 'none'})`;
    if (previous && atMs < previous.atMs) {
      return `${event} (${atMs}) was marked before ${previous.event} (${previous.atMs})`;
    }
    previous = { event, atMs };
  }
  return undefined;
}

/** Seconds from `fromMs` to each mark, for the report (rounded to milliseconds). */
export function marksSince(marks: readonly Mark[], fromMs: number): Record<string, number> {
  return Object.fromEntries(marks.map((m) => [m.event, Math.round(m.atMs - fromMs) / 1000]));
}
