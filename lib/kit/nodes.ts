import type { V1Node } from '@kubernetes/client-node';

const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/**
 * The nodes an ordinary workload can be scheduled onto: Ready, not cordoned, without a NoSchedule or NoExecute taint,
 * and not labelled as the control plane (kind removes the control plane's taint on a one-node cluster: its label says
 * what it is). Sorted by name.
 */
export function schedulableWorkers(nodes: readonly V1Node[]): string[] {
  return nodes.filter((n) => !(CONTROL_PLANE_LABEL in (n.metadata?.labels ?? {}))
    && !n.spec?.unschedulable
    && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name ?? '').sort();
}
