// Rolling restart under load: does replacing every pod, as `kubectl rollout restart` (or any template change) does,
// lose a request? The controller's update strategy, the readiness probe and the app's shutdown decide it; every
// request is counted by cause (under-load.ts).
import type { V1Container } from '@kubernetes/client-node';
import { lossJudged, requestEvidence, type UnderLoad } from './under-load.ts';
import type { StaticWarning, Verdict } from './verdict.ts';

/** A readiness probe is what keeps a new pod out of the Service until it serves: both analysers warn without one. */
export function readinessWarnings(container: V1Container): StaticWarning[] {
  const missing = !container.readinessProbe;
  return [
    { tool: 'kube-score', id: 'pod-probes', warns: missing, about: 'a readiness probe' },
    { tool: 'Polaris', id: 'readinessProbeMissing', warns: missing, about: 'a readiness probe' },
  ];
}

export const RESTART_QUESTION = 'Does a rolling update (kubectl rollout restart) lose requests?';

export function restartVerdict(u: UnderLoad, container: V1Container): Verdict {
  const loss = lossJudged(u);
  const summary = loss.level === 'pass'
    ? `every pod replaced (${u.run.spec.from.name} → ${u.run.spec.to.name}) in ${u.outcome.rolloutSeconds} s: ${loss.line}`
    : `${loss.line}; what keeps a rolling update whole: a readiness probe that passes only when the app serves, and a shutdown ` +
      'that keeps serving until its endpoint is gone (a drain on SIGTERM, or a preStop sleep) without closing idle keep-alive connections under its clients';
  return { check: 'rollout', question: RESTART_QUESTION, verdict: loss.level, summary,
    evidence: { from: u.run.spec.from.name, to: u.run.spec.to.name, rolloutSeconds: u.outcome.rolloutSeconds, ...requestEvidence(u) },
    static: readinessWarnings(container) };
}
