import type { CoreV1Event } from '@kubernetes/client-node';

// The kubelet's account of a liveness failure: Warning Unhealthy ("Liveness probe failed: ...") for each failed
// probe, then Normal Killing ("Container app failed liveness probe, will be restarted").

export interface LivenessEvidence {
  unhealthy: string[];
  killing: string[];
}

export function livenessEvidence(events: readonly CoreV1Event[], pod: string): LivenessEvidence {
  const forPod = events.filter((event) => event.involvedObject.kind === 'Pod' && event.involvedObject.name === pod);
  const messages = (reason: string, pattern: RegExp) => forPod
    .filter((event) => event.reason === reason && pattern.test(event.message ?? ''))
    .map((event) => event.message ?? '');
  return {
    unhealthy: messages('Unhealthy', /^Liveness probe failed/),
    killing: messages('Killing', /failed liveness probe/),
  };
}

export function showsLivenessRestart(evidence: LivenessEvidence): boolean {
  return evidence.unhealthy.length > 0 && evidence.killing.length > 0;
}
