// Resources: which QoS class the pods got, and whether the containers were OOM-killed or restarted while the audit
// ran ("which QoS class fits?"). The class is the API's (status.qosClass), read live, beside the requests and limits it
// follows from; kube-score and Polaris warn on missing requests and limits.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerHistory, memoryKill } from '../kit/containers.ts';
import type { Verdict, StaticWarning } from './verdict.ts';

export function resourceWarnings(containers: readonly V1Container[]): StaticWarning[] {
  const missing = (kind: 'requests' | 'limits', what: 'cpu' | 'memory') => containers.some((c) => c.resources?.[kind]?.[what] === undefined);
  return [
    { tool: 'kube-score', id: 'container-resources', warns: missing('limits', 'cpu') || missing('limits', 'memory') || missing('requests', 'cpu') || missing('requests', 'memory'),
      about: 'CPU and memory requests and limits' },
    { tool: 'Polaris', id: 'cpuRequestsMissing', warns: missing('requests', 'cpu'), about: 'a CPU request' },
    { tool: 'Polaris', id: 'memoryRequestsMissing', warns: missing('requests', 'memory'), about: 'a memory request' },
    { tool: 'Polaris', id: 'memoryLimitsMissing', warns: missing('limits', 'memory'), about: 'a memory limit' },
  ];
}

/**
 * An OOM kill fails (the limit is below what it uses); BestEffort is advice (first evicted under node pressure, no
 * share of memory kept for it); Burstable with no memory limit is advice (it can take a node's memory); else pass.
 */
export function resourcesVerdict(containers: readonly V1Container[], pods: readonly V1Pod[]): Verdict {
  const classes = [...new Set(pods.map((p) => p.status?.qosClass ?? 'unknown'))];
  const kills = pods.flatMap((p) => containers.map((c) => ({ pod: p.metadata?.name ?? '', container: c.name, kill: memoryKill(containerHistory(p, c.name)) })))
    .filter((k) => k.kill.killed);
  const restarts = pods.flatMap((p) => containers.map((c) => containerHistory(p, c.name).restartCount)).reduce((a, b) => a + b, 0);
  const evidence = { qosClass: classes.join(', '), requests: Object.fromEntries(containers.map((c) => [c.name, c.resources?.requests ?? {}])),
    limits: Object.fromEntries(containers.map((c) => [c.name, c.resources?.limits ?? {}])), oomKills: kills.map((k) => `${k.pod}/${k.container}: ${k.kill.evidence}`), restarts };
  const base = { check: 'resources', question: 'Which QoS class does it get, and do its limits hold what it uses?', evidence, static: resourceWarnings(containers) };
  if (kills.length) {
    return { ...base, verdict: 'fail', summary: `OOM-killed: ${evidence.oomKills.join('; ')}: its memory limit is below its working set; raise it` };
  }
  if (classes.includes('BestEffort')) {
    return { ...base, verdict: 'advice', summary: 'QoS BestEffort (no requests): first to be evicted when the node runs short, and nothing reserved for it; set CPU and memory requests' };
  }
  const unlimited = containers.filter((c) => c.resources?.limits?.memory === undefined).map((c) => c.name);
  if (unlimited.length) {
    return { ...base, verdict: 'advice', summary: `QoS ${evidence.qosClass}, no memory limit on ${unlimited.join(', ')}: it can take the node's memory and be OOM-killed with its neighbours; set one` };
  }
  return { ...base, verdict: 'pass', summary: `QoS ${evidence.qosClass}, no OOM kill${restarts ? `, ${restarts} restart(s)` : ', no restart'}` };
}
