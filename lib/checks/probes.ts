// How long the kubelet lets a container start before its probes kill it: the arithmetic of the probe fields, pure.
// With a startupProbe, liveness waits until start-up succeeded, so the start-up budget is the startupProbe's; without
// one, it is the livenessProbe's. Defaults as the API sets them: periodSeconds 10, failureThreshold 3, initialDelaySeconds 0.
import type { V1Container, V1Probe } from '@kubernetes/client-node';

/** Seconds a probe that never succeeds allows before it acts: initialDelaySeconds + failureThreshold x periodSeconds. */
export function probeAllowsSeconds(probe: V1Probe): number {
  return (probe.initialDelaySeconds ?? 0) + (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10);
}

export interface StartBudget {
  /** Seconds the probes let the container start before the kubelet restarts it; undefined: no probe ever restarts it. */
  seconds?: number;
  /** Which probe sets it. */
  by: 'startupProbe' | 'livenessProbe' | 'none';
}

export function startBudget(container: V1Container): StartBudget {
  if (container.startupProbe) return { seconds: probeAllowsSeconds(container.startupProbe), by: 'startupProbe' };
  if (container.livenessProbe) return { seconds: probeAllowsSeconds(container.livenessProbe), by: 'livenessProbe' };
  return { by: 'none' };
}
