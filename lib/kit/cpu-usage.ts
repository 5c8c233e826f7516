import type { Place } from './kube.ts';
import { execInPod } from './exec.ts';

// How much CPU a container got, from the kernel's own accounting of its cgroup rather than from loop counts:
// CPU time consumed (cpuacct.usage on cgroup v1, usage_usec on v2) over wall time (/proc/uptime), and the CFS
// bandwidth figures (nr_periods, nr_throttled, throttled time) that show a CPU limit at work. Both samples are
// taken inside the container by one command, so the wall window is the container's own clock, not the exec
// round trips. The command itself (cat, cut, sleep) runs in the container's cgroup too: a few milliseconds.

export interface CpuSample {
  cgroup: 'v1' | 'v2';
  uptimeSeconds: number;
  usageNs: number;
  periods: number;
  throttledPeriods: number;
  throttledNs: number;
  /** The CFS quota over its period in cores (0.2 for a 200m limit), or undefined when unlimited. */
  quotaCores?: number;
}

export interface CpuWindow {
  cgroup: 'v1' | 'v2';
  wallSeconds: number;
  cpuSeconds: number;
  /** CPU consumed over wall time, in millicores: what the container got. */
  usedMillicores: number;
  periods: number;
  throttledPeriods: number;
  throttledSeconds: number;
  quotaMillicores?: number;
}

/** Prints one sample as "key value" lines; v1 paths first tried as the kubelet mounts them (cpu,cpuacct). */
const SAMPLE = `sample() {
  echo "uptime $(cut -d' ' -f1 /proc/uptime)"
  if [ -f /sys/fs/cgroup/cpu.stat ]; then
    echo "cgroup v2"
    cat /sys/fs/cgroup/cpu.stat
    echo "cpu.max $(cat /sys/fs/cgroup/cpu.max)"
  else
    d=/sys/fs/cgroup/cpu,cpuacct; [ -d "$d" ] || d=/sys/fs/cgroup/cpu
    a=/sys/fs/cgroup/cpu,cpuacct; [ -d "$a" ] || a=/sys/fs/cgroup/cpuacct
    echo "cgroup v1"
    cat "$d/cpu.stat"
    echo "usage_ns $(cat "$a/cpuacct.usage")"
    echo "cfs_quota_us $(cat "$d/cpu.cfs_quota_us")"
    echo "cfs_period_us $(cat "$d/cpu.cfs_period_us")"
  fi
}`;

export function cpuWindowCommand(windowSeconds: number): string[] {
  return ['sh', '-c', `${SAMPLE}\nsample; echo ---; sleep ${windowSeconds}; sample`];
}

function numberAt(fields: Map<string, string>, key: string, text: string): number {
  const raw = fields.get(key);
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new Error(`no numeric ${key} in the cgroup sample:\n${text}`);
  return value;
}

export function parseCpuSample(text: string): CpuSample {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key) fields.set(key, rest.join(' '));
  }
  const at = (key: string): number => numberAt(fields, key, text);
  if (fields.get('cgroup') === 'v2') {
    const [quota = 'max', period = '100000'] = (fields.get('cpu.max') ?? '').split(' ');
    return {
      cgroup: 'v2', uptimeSeconds: at('uptime'), usageNs: at('usage_usec') * 1000, periods: at('nr_periods'),
      throttledPeriods: at('nr_throttled'), throttledNs: at('throttled_usec') * 1000,
      ...(quota === 'max' ? {} : { quotaCores: Number(quota) / Number(period) }),
    };
  }
  if (fields.get('cgroup') !== 'v1') throw new Error(`the cgroup sample names no cgroup version:\n${text}`);
  const quota = at('cfs_quota_us');
  return {
    cgroup: 'v1', uptimeSeconds: at('uptime'), usageNs: at('usage_ns'), periods: at('nr_periods'),
    throttledPeriods: at('nr_throttled'), throttledNs: at('throttled_time'),
    ...(quota < 0 ? {} : { quotaCores: quota / at('cfs_period_us') }),
  };
}

/** The difference between the two samples the window command prints. */
export function parseCpuWindow(output: string): CpuWindow {
  const parts = output.split(/^---$/m);
  if (parts.length !== 2) throw new Error(`expected two cgroup samples separated by ---, got:\n${output}`);
  const [a, b] = parts.map(parseCpuSample) as [CpuSample, CpuSample];
  const wallSeconds = b.uptimeSeconds - a.uptimeSeconds;
  const cpuSeconds = (b.usageNs - a.usageNs) / 1e9;
  return {
    cgroup: b.cgroup, wallSeconds, cpuSeconds, usedMillicores: Math.round((cpuSeconds / wallSeconds) * 1000),
    periods: b.periods - a.periods, throttledPeriods: b.throttledPeriods - a.throttledPeriods,
    throttledSeconds: (b.throttledNs - a.throttledNs) / 1e9,
    ...(b.quotaCores === undefined ? {} : { quotaMillicores: Math.round(b.quotaCores * 1000) }),
  };
}

/** Measures the container's CPU over `windowSeconds` of its own wall clock. */
export async function measureCpu(place: Place, pod: string, container: string, windowSeconds: number): Promise<CpuWindow> {
  const result = await execInPod(place.kube, place.ns, pod, container, cpuWindowCommand(windowSeconds),
    (windowSeconds + 30) * 1000);
  if (result.exitCode !== 0) {
    throw new Error(`reading the cgroup of ${pod}/${container} exited ${result.exitCode}: ${result.stderr || result.stdout}`);
  }
  return parseCpuWindow(result.stdout);
}

/**
 * The CPU-limit check: the container's cgroup carries a CFS quota of the limit, it got at most `maxOverLimit` times
 * the limit over the window (the kernel enforces the quota per 100 ms period and may overrun by a bandwidth slice),
 * and it was throttled. `failures` names each part that did not hold.
 */
export function cpuLimitVerdict(window: CpuWindow, limitMillicores: number, maxOverLimit: number): { held: boolean; failures: string[] } {
  const failures: string[] = [];
  if (window.quotaMillicores !== limitMillicores) failures.push(`CFS quota ${window.quotaMillicores === undefined ? 'none' : `${window.quotaMillicores}m`}, not ${limitMillicores}m`);
  if (window.usedMillicores > limitMillicores * maxOverLimit) failures.push(`used ${window.usedMillicores}m, over ${Math.round(maxOverLimit * 100)} % of ${limitMillicores}m`);
  if (window.throttledPeriods === 0) failures.push('never throttled');
  return { held: failures.length === 0, failures };
}

/**
 * The control of the CPU-limit check, judged against the limited container measured in the same window, never
 * against an absolute figure (what an unlimited loop gets is what its node has left): the unlimited container has no
 * CFS quota, was never throttled, and got at least `minTimesLimited` times the CPU the limited one got. The pods may
 * run on different nodes; nothing here assumes they share one. `failures` names each part that did not hold.
 */
export function unlimitedControlVerdict(unlimited: CpuWindow, limited: CpuWindow, minTimesLimited: number):
  { held: boolean; failures: string[]; neededMillicores: number } {
  const failures: string[] = [];
  const neededMillicores = Math.ceil(limited.usedMillicores * minTimesLimited);
  if (unlimited.quotaMillicores !== undefined) failures.push(`CFS quota ${unlimited.quotaMillicores}m: it is limited`);
  if (unlimited.throttledPeriods > 0) failures.push(`throttled in ${unlimited.throttledPeriods} of ${unlimited.periods} periods`);
  if (unlimited.usedMillicores < neededMillicores) {
    failures.push(`used ${unlimited.usedMillicores}m, under ${Math.round((minTimesLimited - 1) * 100)} % more than the limited ` +
      `container's ${limited.usedMillicores}m in the same window (${neededMillicores}m)`);
  }
  return { held: failures.length === 0, failures, neededMillicores };
}
