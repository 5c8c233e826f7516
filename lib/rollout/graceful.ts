// "Terminated gracefully": the container exited by itself after SIGTERM, before the grace period ran
// out — exit 0, or 143 (the default action of the SIGTERM it was sent) — rather than being SIGKILLed at
// the deadline (137) or crashing. The exit must also fall inside the grace period the pod was given.
import type { PodRecord } from './pod-observer.ts';

export interface GracefulVerdict {
  pod: string;
  graceful: boolean;
  exitCode?: number;
  reason?: string;
  /** Seconds from the delete request to the container's exit (API finishedAt has 1 s resolution). */
  exitAfterSeconds?: number;
  gracePeriodSeconds?: number;
  why: string;
}

const GRACEFUL_EXIT = new Set([0, 143]);

export function judgeTermination(pod: PodRecord): GracefulVerdict {
  const base = { pod: pod.name, ...(pod.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: pod.gracePeriodSeconds } : {}) };
  const t = pod.terminated;
  if (!t) return { ...base, graceful: false, why: 'no terminated container state was observed' };
  const exitAfterSeconds =
    t.finishedAt !== undefined && pod.terminatingAt !== undefined
      // finishedAt is truncated to the second, so a pod that exits at once can seem to exit before the delete.
      ? Math.max(0, Math.round((t.finishedAt - pod.terminatingAt) / 100) / 10)
      : undefined;
  const verdict = {
    ...base,
    exitCode: t.exitCode,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(exitAfterSeconds !== undefined ? { exitAfterSeconds } : {}),
  };
  if (!GRACEFUL_EXIT.has(t.exitCode)) {
    const killed = t.exitCode === 137 ? ' (SIGKILL: the grace period ran out or the process was killed)' : '';
    return { ...verdict, graceful: false, why: `exit code ${t.exitCode}${killed}` };
  }
  // finishedAt is truncated to the second, so allow one second of slack against the deadline.
  if (exitAfterSeconds !== undefined && pod.gracePeriodSeconds !== undefined && exitAfterSeconds > pod.gracePeriodSeconds + 1) {
    return { ...verdict, graceful: false, why: `exited ${exitAfterSeconds}s after the delete, past the ${pod.gracePeriodSeconds}s grace period` };
  }
  return { ...verdict, graceful: true, why: `exit code ${t.exitCode} within the grace period` };
}
