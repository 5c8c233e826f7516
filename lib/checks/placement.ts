// The placement checks: where the scheduler put a Deployment's pods under a spread constraint or a pod anti-affinity
// rule, and which it left Pending, for which reason.
import type { V1Pod } from '@kubernetes/client-node';
import type { Holds } from '../kit/consistently.ts';
import type { SchedulingCause } from '../kit/unschedulable.ts';
import { unschedulableFor } from '../kit/unschedulable.ts';

export interface PlacementExpectation {
  /** How many pods the scheduler must leave Pending. */
  pending: number;
  /** Why: every Pending pod must be Unschedulable for this cause. */
  cause: SchedulingCause;
  /** At most this many pods per node (1 for required anti-affinity). */
  maxPerNode?: number;
}

export interface Placement {
  /** node → its pods (names), for the bound pods. */
  byNode: Record<string, string[]>;
  pending: string[];
}

export function placementOf(pods: readonly V1Pod[]): Placement {
  const byNode: Record<string, string[]> = {};
  const pending: string[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const name = p.metadata?.name ?? '';
    const node = p.spec?.nodeName;
    if (node) byNode[node] = [...(byNode[node] ?? []), name].sort();
    else pending.push(name);
  }
  return { byNode, pending: pending.sort() };
}

/** Holds while exactly `pending` pods are Pending, each Unschedulable for the cause, and no node holds more than allowed. */
export function placementHeld(expected: PlacementExpectation): (pods: V1Pod[]) => Holds<Placement> {
  const unschedulable = unschedulableFor(expected.cause);
  return (pods) => {
    const placement = placementOf(pods);
    const counts = Object.entries(placement.byNode).map(([node, names]) => `${node}: ${names.length}`).join(', ') || 'no pod bound';
    if (placement.pending.length !== expected.pending) {
      return { holds: false, reason: `${placement.pending.length} pods Pending, not ${expected.pending} (${counts})` };
    }
    for (const name of placement.pending) {
      const verdict = unschedulable(pods.filter((p) => p.metadata?.name === name));
      if (!verdict.holds) return { holds: false, reason: verdict.reason };
    }
    const crowded = Object.entries(placement.byNode).filter(([, names]) => expected.maxPerNode !== undefined && names.length > expected.maxPerNode);
    if (crowded.length) return { holds: false, reason: `more than ${expected.maxPerNode} per node on ${crowded.map(([n]) => n).join(', ')} (${counts})` };
    return { holds: true, value: placement };
  };
}
