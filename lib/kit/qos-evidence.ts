import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerLimits, QosTier } from './container-limits.ts';
import { expectedCpuWeights, tierOfCgroupPath } from './container-limits.ts';
import { clampedOomScoreAdj, kubeletOomScoreAdj } from './oom-score.ts';
import { bytes, millicores } from './quantities.ts';

// Whether what the API says (status.qosClass) and what the kubelet set up on the node (cgroup tier,
// oom_score_adj, memory limit, CPU weight) together show one QoS class. The same check, asked about a pod of
// another class, must name what differs: that is how the negative control shows the check can fail.

export interface QosEvidence {
  pod: string;
  qosClass?: string;
  cgroupPath: string;
  cgroupTier?: QosTier;
  oomScoreAdj: number;
  memoryRequestBytes: number;
  nodeMemoryCapacityBytes: number;
  /** Whether this node's runtime raises negative oom_score_adj to 0 (see oom-score.ts). */
  runtimeClampsNegative: boolean;
  memoryLimitBytes?: number;
  expectedMemoryLimitBytes?: number;
  cpuWeight: number;
  /** What the CPU request may show as, by conversion (one on cgroup v1, two on v2: see container-limits.ts). */
  expectedCpuWeights: Record<string, number>;
}

export function qosEvidence(pod: V1Pod, container: string, limits: ContainerLimits, nodeMemoryCapacityBytes: number,
  runtimeClampsNegative: boolean): QosEvidence {
  const spec = pod.spec?.containers.find((c) => c.name === container);
  if (!spec) throw new Error(`pod ${pod.metadata?.name} has no container ${container}`);
  const quantity = (map: Record<string, string> | undefined, key: string): string | undefined => map?.[key];
  // A limit without a request means request = limit (the API server defaults it so).
  const requestOf = (key: string): string | undefined =>
    quantity(spec.resources?.requests, key) ?? quantity(spec.resources?.limits, key);
  const memoryLimit = quantity(spec.resources?.limits, 'memory');
  const cpuRequest = requestOf('cpu');
  const tier = tierOfCgroupPath(limits.cgroupPath);
  return {
    pod: pod.metadata?.name ?? '?',
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
    cgroupPath: limits.cgroupPath,
    ...(tier ? { cgroupTier: tier } : {}),
    oomScoreAdj: limits.oomScoreAdj,
    memoryRequestBytes: bytes(requestOf('memory') ?? '0'),
    nodeMemoryCapacityBytes,
    runtimeClampsNegative,
    ...(limits.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: limits.memoryLimitBytes }),
    ...(memoryLimit ? { expectedMemoryLimitBytes: bytes(memoryLimit) } : {}),
    cpuWeight: limits.cpuWeight,
    expectedCpuWeights: expectedCpuWeights(cpuRequest ? millicores(cpuRequest) : 0, limits.cgroup),
  };
}

/** The oom_score_adj the kubelet asks for this pod as `tier`, and what this node shows for it. */
export function oomScoreAdjFor(evidence: QosEvidence, tier: QosTier): { kubelet: number; here: number } {
  const kubelet = kubeletOomScoreAdj(tier, evidence.memoryRequestBytes, evidence.nodeMemoryCapacityBytes);
  return { kubelet, here: evidence.runtimeClampsNegative ? clampedOomScoreAdj(kubelet) : kubelet };
}

/** Everything in the evidence that does not show `tier`; empty when all of it does. */
export function qosMismatches(evidence: QosEvidence, tier: QosTier): string[] {
  const out: string[] = [];
  if (evidence.qosClass !== tier) out.push(`status.qosClass is ${evidence.qosClass ?? '(none)'}, not ${tier}`);
  // A private cgroup namespace (cgroup v2) hides the path: the other figures still speak.
  if (evidence.cgroupTier !== undefined && evidence.cgroupTier !== tier) {
    out.push(`runs in the ${evidence.cgroupTier} cgroup tier (${evidence.cgroupPath}), not ${tier}'s`);
  }
  const { kubelet, here } = oomScoreAdjFor(evidence, tier);
  if (evidence.oomScoreAdj !== here) {
    out.push(`oom_score_adj is ${evidence.oomScoreAdj}, not ${tier}'s ${here}` +
      (here !== kubelet ? ` (the kubelet's ${kubelet}, raised to 0 by this node's runtime)` : ''));
  }
  if (evidence.memoryLimitBytes !== evidence.expectedMemoryLimitBytes) {
    out.push(`the cgroup memory limit is ${evidence.memoryLimitBytes ?? 'unlimited'}, not the container's ` +
      `${evidence.expectedMemoryLimitBytes ?? 'unlimited'}`);
  }
  if (cpuWeightConversion(evidence) === undefined) {
    out.push(`the CPU weight is ${evidence.cpuWeight}, not the CPU request's ${Object.entries(evidence.expectedCpuWeights)
      .map(([name, value]) => `${value} (${name})`).join(' or ')}`);
  }
  return out;
}

/**
 * Which conversion the observed CPU weight matches (named), or undefined when none does. Where both give the same
 * value (2 shares, a BestEffort pod's, is 1 either way) both are named: that reading cannot tell the runtimes apart.
 */
export function cpuWeightConversion(evidence: Pick<QosEvidence, 'cpuWeight' | 'expectedCpuWeights'>): string | undefined {
  const matched = Object.entries(evidence.expectedCpuWeights).filter(([, value]) => value === evidence.cpuWeight).map(([name]) => name);
  return matched.length ? matched.join(' and ') : undefined;
}
