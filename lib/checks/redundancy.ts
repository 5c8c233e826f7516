// Redundancy: how many replicas serve, and on how many nodes ("what happens when a pod or a node goes?"). The live
// half is where the scheduler put them (placement.ts' placementOf); the static half is what the spec asks for.
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { placementOf } from './placement.ts';
import type { Verdict, StaticWarning } from './verdict.ts';
import { couldNotComplete } from './verdict.ts';

const HOSTNAME = 'kubernetes.io/hostname';

/** Whether the pod spec asks to be spread over nodes: a hostname topology spread or pod anti-affinity (either strength). */
export function asksForSpread(spec: V1PodSpec | undefined): boolean {
  const spread = (spec?.topologySpreadConstraints ?? []).some((c) => c.topologyKey === HOSTNAME);
  const anti = spec?.affinity?.podAntiAffinity;
  const terms = [...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm)];
  return spread || terms.some((t) => t.topologyKey === HOSTNAME);
}

export function redundancyWarnings(kind: string, replicas: number, spec: V1PodSpec | undefined): StaticWarning[] {
  const spreads = asksForSpread(spec);
  return [
    ...(kind === 'Deployment' ? [{ tool: 'Polaris' as const, id: 'deploymentMissingReplicas', warns: replicas < 2, about: 'more than one replica' }] : []),
    { tool: 'kube-score', id: `${kind.toLowerCase()}-has-host-podantiaffinity`, warns: replicas > 1 && !spreads, about: 'pods kept apart by node' },
    { tool: 'Polaris', id: 'topologySpreadConstraint', warns: !(spec?.topologySpreadConstraints ?? []).length, about: 'a topology spread constraint' },
  ];
}

/**
 * One replica fails (any deletion, eviction or rollout leaves nothing serving); every replica on one node while the
 * cluster has more schedulable nodes is advice (losing that node loses them all); otherwise it passes.
 */
export function redundancyVerdict(kind: string, replicas: number, spec: V1PodSpec | undefined, pods: readonly V1Pod[], schedulableNodes: number): Verdict {
  const placement = placementOf(pods);
  const nodes = Object.keys(placement.byNode);
  const evidence = { replicas, byNode: placement.byNode, pending: placement.pending, schedulableNodes, asksForSpread: asksForSpread(spec) };
  const base = { check: 'redundancy', question: 'Does it keep serving when one pod, or one node, goes?', evidence,
    static: redundancyWarnings(kind, replicas, spec) };
  // The spec's static warnings stand; the live half has nothing to stand on.
  if (!pods.length) return { ...couldNotComplete(base.check, base.question, 'no running pod of the workload was seen (see start-up)', evidence), static: base.static };
  if (replicas < 2) {
    return { ...base, verdict: 'fail', summary: `${replicas} replica: a deletion, an eviction or a rollout leaves no pod serving; run at least 2 (and a PodDisruptionBudget)` };
  }
  const where = `${replicas} replicas on ${nodes.length} node(s) (${nodes.map((n) => `${n}: ${placement.byNode[n]!.length}`).join(', ')})`;
  if (nodes.length === 1 && schedulableNodes > 1) {
    return { ...base, verdict: 'advice', summary: `${where} of ${schedulableNodes} schedulable: losing that node loses them all; ` +
      `add a topologySpreadConstraint on ${HOSTNAME} (maxSkew 1)` };
  }
  return { ...base, verdict: 'pass', summary: `${where}${schedulableNodes === 1 ? ', the only schedulable node' : ''}` };
}
