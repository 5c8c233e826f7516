// "Terminated gracefully": the container exited by itself after SIGTERM, before the grace period ran
// out — exit 0, or 143 (the default action of the SIGTERM it was sent) — rather than being SIGKILLed at
// the deadline (137) or crashing. The exit code alone says it was before the deadline (the kubelet's kill at the
// deadline is a SIGKILL): no time is compared, since the exit's time is its node's clock and the delete's this
// process's, which may disagree by any skew.
import type { PodRecord } from '../kit/pod-observer.ts';

export interface GracefulVerdict {
  pod: string;
  graceful: boolean;
  exitCode?: number;
  reason?: string;
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
  const verdict = {
    ...base,
    exitCode: t.exitCode,
    ...(t.reason ? { reason: t.reason } : {}),
  };
  if (!GRACEFUL_EXIT.has(t.exitCode)) {
    const killed = t.exitCode === 137 ? ' (SIGKILL: the grace period ran out or the process was killed)' : '';
    return { ...verdict, graceful: false, why: `exit code ${t.exitCode}${killed}` };
  }
  return { ...verdict, graceful: true, why: `exit code ${t.exitCode} within the grace period` };
}
