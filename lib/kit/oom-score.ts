import { readFileSync } from 'node:fs';
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

/** Whether a process in this machine's capability bounding set may set a negative oom_score_adj. */
export function lacksCapSysResource(status = (): string => readFileSync('/proc/self/status', 'utf8')): boolean {
  let text: string;
  try {
    text = status();
  } catch {
    return false; // not Linux: nothing says the cap is missing
  }
  const mask = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (!mask) return false;
  const CAP_SYS_RESOURCE = 24n;
  return ((BigInt(`0x${mask}`) >> CAP_SYS_RESOURCE) & 1n) === 0n;
}

/** Whether the API server is on this machine (a kind cluster here), so this host's capabilities are the node's. */
export function serverIsLocal(server: string | undefined): boolean {
  if (!server) return false;
  try {
    const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
