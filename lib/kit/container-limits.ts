import type { Place } from './kube.ts';
import { execInPod } from './exec.ts';

// What the kubelet set up for a container, read live from inside it: the main process's oom_score_adj, the
// cgroup it runs in (the kubelet nests pods under a cgroup per QoS class: kubepods, kubepods/burstable,
// kubepods/besteffort), the memory limit of that cgroup and its CPU weight (cpu.shares on cgroup v1, cpu.weight
// on v2). All of it is readable by the unprivileged user the pods run as.

export type QosTier = 'Guaranteed' | 'Burstable' | 'BestEffort';

export interface ContainerLimits {
  cgroup: 'v1' | 'v2';
  oomScoreAdj: number;
  /** The main process's cgroup path as it sees it ("/" when a private cgroup namespace hides it). */
  cgroupPath: string;
  /** The cgroup's memory limit in bytes, or undefined when unlimited. */
  memoryLimitBytes?: number;
  /** cpu.shares (v1) or cpu.weight (v2). */
  cpuWeight: number;
}

const READ = `echo "oom_score_adj $(cat /proc/1/oom_score_adj)"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo "cgroup v2"
  echo "path $(sed -n 's/^0:://p' /proc/1/cgroup)"
  echo "memory_limit $(cat /sys/fs/cgroup/memory.max)"
  echo "cpu_weight $(cat /sys/fs/cgroup/cpu.weight)"
else
  d=/sys/fs/cgroup/cpu,cpuacct; [ -d "$d" ] || d=/sys/fs/cgroup/cpu
  echo "cgroup v1"
  echo "path $(sed -n 's/^[0-9]*:memory://p' /proc/1/cgroup)"
  echo "memory_limit $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  echo "cpu_weight $(cat "$d/cpu.shares")"
fi`;

export const containerLimitsCommand = (): string[] => ['sh', '-c', READ];

// cgroup v1 says "no limit" with the largest page-aligned counter (9223372036854771712); v2 says "max".
const V1_UNLIMITED = 2 ** 62;

export function parseContainerLimits(text: string): ContainerLimits {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) ?(.*)$/.exec(line.trim());
    if (match) fields.set(match[1]!, match[2]!);
  }
  const cgroup = fields.get('cgroup');
  if (cgroup !== 'v1' && cgroup !== 'v2') throw new Error(`the reading names no cgroup version:\n${text}`);
  const number = (key: string): number => {
    const value = Number(fields.get(key));
    if (!fields.get(key) || !Number.isFinite(value)) throw new Error(`no numeric ${key} in the reading:\n${text}`);
    return value;
  };
  const rawLimit = fields.get('memory_limit');
  const limit = rawLimit === 'max' ? undefined : number('memory_limit');
  return {
    cgroup, oomScoreAdj: number('oom_score_adj'), cgroupPath: fields.get('path') || '/', cpuWeight: number('cpu_weight'),
    ...(limit === undefined || limit >= V1_UNLIMITED ? {} : { memoryLimitBytes: limit }),
  };
}

/**
 * The QoS tier a cgroup path shows (systemd driver: kubelet-kubepods-burstable.slice; cgroupfs driver:
 * /kubepods/burstable/), or undefined when the path does not show the kubelet's hierarchy at all.
 */
export function tierOfCgroupPath(path: string): QosTier | undefined {
  if (!/kubepods/.test(path)) return undefined;
  if (/kubepods[-/]besteffort/.test(path)) return 'BestEffort';
  if (/kubepods[-/]burstable/.test(path)) return 'Burstable';
  return 'Guaranteed';
}

/** kubelet MilliCPUToShares: 1024 per core, at least 2 (a BestEffort pod, requesting nothing, gets 2). */
export function cpuSharesFor(requestMillicores: number): number {
  return Math.max(2, Math.floor((requestMillicores * 1024) / 1000));
}

/**
 * The two cpu.shares -> cgroup v2 cpu.weight conversions runtimes use. `linear`: runc before 1.3.2 and crun before
 * 1.23 (shares 2..262144 onto 1..10000 in a straight line, so the default 1024 shares gave 39, not v2's default
 * 100). `quadratic`: runc 1.3.2+ and crun 1.23+ (on a log scale, a quadratic through (2, 1), (1024, 100) and
 * (262144, 10000): weight = ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares)).
 */
export const CPU_WEIGHT_CONVERSIONS = {
  linear: (shares: number): number => 1 + Math.floor(((shares - 2) * 9999) / 262142),
  quadratic: (shares: number): number => {
    if (shares === 0) return 0; // "unset", as runc has it (the kubelet never asks below 2)
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    const l = Math.log2(shares);
    return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
  },
} as const;
export type CpuWeightConversion = keyof typeof CPU_WEIGHT_CONVERSIONS;

/**
 * The CPU weights the kubelet's CPU request may show as: cpu.shares on v1 (one value); on v2 each runtime
 * conversion's cpu.weight, by name (the runtime's version, which decides, is not visible through the API).
 */
export function expectedCpuWeights(requestMillicores: number, cgroup: 'v1' | 'v2'): Record<string, number> {
  const shares = cpuSharesFor(requestMillicores);
  if (cgroup === 'v1') return { 'cpu.shares': shares };
  return Object.fromEntries(Object.entries(CPU_WEIGHT_CONVERSIONS).map(([name, convert]) => [`cpu.weight (${name})`, convert(shares)]));
}

export async function readContainerLimits(place: Place, pod: string, container: string): Promise<ContainerLimits> {
  const result = await execInPod(place.kube, place.ns, pod, container, containerLimitsCommand());
  if (result.exitCode !== 0) {
    throw new Error(`reading the limits of ${pod}/${container} exited ${result.exitCode}: ${result.stderr || result.stdout}`);
  }
  return parseContainerLimits(result.stdout);
}
