import type { QosTier } from './container-limits.ts';

// The oom_score_adj the kubelet gives a container's processes (pkg/kubelet/qos/policy.go,
// GetContainerOOMScoreAdjust): Guaranteed -997, BestEffort 1000, Burstable 1000 - 1000 * memoryRequest /
// nodeMemoryCapacity (integer division), kept within 3..999 so it stays between the two.
//
// What a node of this project's offline build shows can differ: the host's capability bounding set lacks
// CAP_SYS_RESOURCE, without which no process may lower an oom_score_adj below 0, so the runtime shim the offline
// build installs (offline/go/kubernetes/cmd/runc-shim) raises every negative value to 0 before runc applies it.
// Guaranteed then shows 0 instead of -997; Burstable and BestEffort values are unchanged.

const GUARANTEED = -997;
const BEST_EFFORT = 1000;

/** What the kubelet asks for (what an unadapted node shows). */
export function kubeletOomScoreAdj(tier: QosTier, memoryRequestBytes: number, memoryCapacityBytes: number): number {
  if (tier === 'Guaranteed') return GUARANTEED;
  if (tier === 'BestEffort') return BEST_EFFORT;
  const adjust = 1000 - Math.floor((1000 * memoryRequestBytes) / memoryCapacityBytes);
  if (adjust < 1000 + GUARANTEED) return 1000 + GUARANTEED;
  if (adjust === BEST_EFFORT) return adjust - 1;
  return adjust;
}

/** What a node whose runtime raises negative values to 0 shows. */
export function clampedOomScoreAdj(value: number): number {
  return Math.max(0, value);
}

/** The oom_score_adj every runtime asks for a pod's sandbox (pause) process (containerd, CRI-O: -998). */
export const SANDBOX_OOM_SCORE_ADJ = -998;

/**
 * Whether a node raises negative oom_score_adj values to 0, judged from the node itself: its sandbox (pause)
 * process shows -998 where negatives are applied and 0 where they are raised. Anything else is neither: refused.
 */
export function clampsNegativeOomScoreAdj(sandboxOomScoreAdj: number): boolean {
  if (sandboxOomScoreAdj === SANDBOX_OOM_SCORE_ADJ) return false;
  if (sandboxOomScoreAdj === 0) return true;
  throw new Error(`the pod sandbox's oom_score_adj is ${sandboxOomScoreAdj}, neither the runtime's ${SANDBOX_OOM_SCORE_ADJ} nor 0 (raised): ` +
    'this node does something this check does not know');
}
