// "Terminated gracefully": the container exited by itself after SIGTERM, before the grace period ran
// out — exit 0, or 143 (the default action of the SIGTERM it was sent) — rather than being SIGKILLed at
// the deadline (137) or crashing. The exit must also fall inside the grace period the pod was given.
import type { PodRecord } from '../kit/pod-observer.ts';

export interface GracefulVerdict {
  pod: string;
  graceful: boolean;
  exitCode?: number;
  reason?: string;
  /** Seconds from the delete request to the container's exit (API finishedAt has 1 s resolution). */
  exitAfterSeconds?: number;
  gracePeriodSeconds?: number;
  /** Distinct reasons of the pod's events, e.g. Scheduled, Pulled, Created, Started, Killing. */
  events?: string[];
  why: string;
}

const GRACEFUL_EXIT = new Set([0, 143]);
/** Event reasons the kubelet records when a stop did not go as asked. */
const STOP_TROUBLE = new Set(['FailedKillPod', 'FailedPreStopHook', 'ExceededGracePeriod']);

/** `eventReasons`: reasons of the events recorded for this pod (Killing, FailedPreStopHook, ...). */
export function judgeTermination(pod: PodRecord, eventReasons: readonly string[] = []): GracefulVerdict {
  const base = {
    pod: pod.name,
    ...(pod.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: pod.gracePeriodSeconds } : {}),
    ...(eventReasons.length ? { events: [...new Set(eventReasons)] } : {}),
  };
  const trouble = eventReasons.find((r) => STOP_TROUBLE.has(r));
  if (trouble) return { ...base, graceful: false, ...(pod.terminated ? { exitCode: pod.terminated.exitCode } : {}), why: `event ${trouble}` };
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
