// Resources: which QoS class the pods got, and whether the containers were OOM-killed or restarted while the audit
// ran ("which QoS class fits?"). The class is the API's (status.qosClass), read live, beside the requests and limits it
// follows from; kube-score and Polaris warn on missing requests and limits.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerHistory, memoryKill } from '../kit/containers.ts';
import type { UsagePeaks } from '../kit/pod-usage.ts';
import { bytes, formatBytes, millicores } from '../kit/quantities.ts';
import type { Verdict, StaticWarning } from './verdict.ts';
import { couldNotComplete } from './verdict.ts';

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
 * A peak this close to a limit is advice: a little more load and the memory limit OOM-kills it, or the CPU limit
 * throttles it (the CFS quota spent before the period ends).
 */
export const NEAR_LIMIT = 0.9;

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** What the peaks under load say against each container's requests and limits: one line per finding, and the figures. */
export function peakFindings(containers: readonly V1Container[], usage: UsagePeaks): { findings: string[]; line: string } {
  if (!usage.measured) return { findings: [], line: `peaks not measured: ${usage.why}` };
  const findings: string[] = [];
  const figures: string[] = [];
  for (const c of containers) {
    const peak = usage.byContainer[c.name];
    if (!peak) {
      figures.push(`${c.name}: no sample`);
      continue;
    }
    figures.push(`${c.name} peaked at ${peak.cpuMillicores}m CPU, ${mib(peak.memoryBytes)}`);
    const { requests = {}, limits = {} } = c.resources ?? {};
    if (limits.memory && peak.memoryBytes >= NEAR_LIMIT * bytes(limits.memory)) {
      findings.push(`${c.name}'s memory peaked at ${mib(peak.memoryBytes)} of its ${formatBytes(bytes(limits.memory))} limit: a little more and it is OOM-killed; raise the limit`);
    } else if (requests.memory && peak.memoryBytes > bytes(requests.memory)) {
      findings.push(`${c.name}'s memory peaked at ${mib(peak.memoryBytes)}, above its ${formatBytes(bytes(requests.memory))} request: under node memory pressure the kubelet evicts pods over their requests first; request what it uses`);
    }
    if (limits.cpu && peak.cpuMillicores >= NEAR_LIMIT * millicores(limits.cpu)) {
      findings.push(`${c.name}'s CPU peaked at ${peak.cpuMillicores}m of its ${millicores(limits.cpu)}m limit: it is throttled there; raise the limit or drop it`);
    }
  }
  return { findings, line: `${figures.join('; ') || 'no container sampled'} (${usage.samples} sample(s) of the metrics API over ${usage.seconds} s under load)` };
}

/**
 * An OOM kill fails (the limit is below what it uses); BestEffort is advice (first evicted under node pressure, no
 * share of memory kept for it); Burstable with no memory limit is advice (it can take a node's memory); a peak under
 * load near a limit or over the memory request is advice (peakFindings); else pass. `usage`: the peaks under load,
 * or why they were not measured (said in the summary).
 */
export function resourcesVerdict(containers: readonly V1Container[], pods: readonly V1Pod[], usage?: UsagePeaks): Verdict {
  const classes = [...new Set(pods.map((p) => p.status?.qosClass ?? 'unknown'))];
  const kills = pods.flatMap((p) => containers.map((c) => ({ pod: p.metadata?.name ?? '', container: c.name, kill: memoryKill(containerHistory(p, c.name)) })))
    .filter((k) => k.kill.killed);
  const restarts = pods.flatMap((p) => containers.map((c) => containerHistory(p, c.name).restartCount)).reduce((a, b) => a + b, 0);
  const evidence = { qosClass: classes.join(', '), requests: Object.fromEntries(containers.map((c) => [c.name, c.resources?.requests ?? {}])),
    limits: Object.fromEntries(containers.map((c) => [c.name, c.resources?.limits ?? {}])), oomKills: kills.map((k) => `${k.pod}/${k.container}: ${k.kill.evidence}`), restarts };
  const peaks = usage ? peakFindings(containers, usage) : undefined;
  const base = { check: 'resources', question: 'Which QoS class does it get, and do its limits hold what it uses?',
    evidence: { ...evidence, ...(usage ? { peaks: usage } : {}) }, static: resourceWarnings(containers) };
  const measured = peaks ? `; ${peaks.line}` : '';
  if (!pods.length) return { ...couldNotComplete(base.check, base.question, 'no pod of the workload was seen: no QoS class, kill or restart to read (see start-up)', base.evidence), static: base.static };
  if (kills.length) {
    return { ...base, verdict: 'fail', summary: `OOM-killed: ${evidence.oomKills.join('; ')}: its memory limit is below its working set; raise it${measured}` };
  }
  if (classes.includes('BestEffort')) {
    return { ...base, verdict: 'advice', summary: 'QoS BestEffort (no requests): first to be evicted when the node runs short, and nothing reserved for it; set CPU and memory requests' };
  }
  const unlimited = containers.filter((c) => c.resources?.limits?.memory === undefined).map((c) => c.name);
  if (unlimited.length) {
    return { ...base, verdict: 'advice', summary: `QoS ${evidence.qosClass}, no memory limit on ${unlimited.join(', ')}: it can take the node's memory and be OOM-killed with its neighbours; set one` };
  }
  if (peaks?.findings.length) return { ...base, verdict: 'advice', summary: `QoS ${evidence.qosClass}: ${peaks.findings.join('; ')}${measured}` };
  return { ...base, verdict: 'pass', summary: `QoS ${evidence.qosClass}, no OOM kill${restarts ? `, ${restarts} restart(s)` : ', no restart'}${measured}` };
}
