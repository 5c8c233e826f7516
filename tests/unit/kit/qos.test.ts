import type { V1Pod } from '@kubernetes/client-node';
import { CPU_WEIGHT_CONVERSIONS, expectedCpuWeights, parseContainerLimits, tierOfCgroupPath } from '../../../lib/kit/container-limits.ts';
import { clampedOomScoreAdj, clampsNegativeOomScoreAdj, kubeletOomScoreAdj } from '../../../lib/kit/oom-score.ts';
import { cpuWeightConversion, oomScoreAdjFor, qosEvidence, qosMismatches } from '../../../lib/kit/qos-evidence.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('container limits read inside a container', () => {
  test('cgroup v1: unlimited memory is the largest page-aligned counter; the path is the memory line', () => {
    const text = 'oom_score_adj 1000\ncgroup v1\npath /kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/x\n' +
      'memory_limit 9223372036854771712\ncpu_weight 2\n';
    expect(parseContainerLimits(text)).toEqual({ cgroup: 'v1', oomScoreAdj: 1000, cpuWeight: 2,
      cgroupPath: '/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/x' });
    expect(parseContainerLimits(text.replace('9223372036854771712', '67108864')).memoryLimitBytes).toBe(64 * MiB);
  });

  test('cgroup v2: "max" is unlimited, an empty path (private cgroup namespace) reads as /', () => {
    expect(parseContainerLimits('oom_score_adj -997\ncgroup v2\npath \nmemory_limit max\ncpu_weight 4\n'))
      .toEqual({ cgroup: 'v2', oomScoreAdj: -997, cgroupPath: '/', cpuWeight: 4 });
  });

  test('a reading without a figure is an error', () => {
    expect(() => parseContainerLimits('cgroup v1\npath /\nmemory_limit 1\ncpu_weight 2\n')).toThrow(/no numeric oom_score_adj/);
  });

  test('the QoS tier shows in the path with either cgroup driver; outside the kubelet\'s hierarchy it is unknown', () => {
    expect(tierOfCgroupPath('/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/p.slice/c.scope')).toBe('Burstable');
    expect(tierOfCgroupPath('/kubepods/besteffort/podabc/123')).toBe('BestEffort');
    expect(tierOfCgroupPath('/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod1.slice/c.scope')).toBe('Guaranteed');
    expect(tierOfCgroupPath('/')).toBeUndefined();
  });

  test('CPU weight from the request: 1024 shares per core, at least 2; v2 converts as runc does', () => {
    expect(expectedCpuWeights(100, 'v1')).toEqual({ 'cpu.shares': 102 });
    expect(expectedCpuWeights(0, 'v1')).toEqual({ 'cpu.shares': 2 });
    expect(expectedCpuWeights(0, 'v2')).toEqual({ 'cpu.weight (linear)': 1, 'cpu.weight (quadratic)': 1 });
    expect(expectedCpuWeights(1000, 'v2')).toEqual({ 'cpu.weight (linear)': 39, 'cpu.weight (quadratic)': 100 });
    expect(expectedCpuWeights(200, 'v2')).toEqual({ 'cpu.weight (linear)': 8, 'cpu.weight (quadratic)': 29 });
  });
});

describe('oom_score_adj', () => {
  test('the kubelet\'s values: Guaranteed -997, BestEffort 1000, Burstable from the memory request, within 3..999', () => {
    expect(kubeletOomScoreAdj('Guaranteed', 64 * MiB, 24 * GiB)).toBe(-997);
    expect(kubeletOomScoreAdj('BestEffort', 0, 24 * GiB)).toBe(1000);
    expect(kubeletOomScoreAdj('Burstable', 256 * MiB, 24 * GiB)).toBe(990);
    expect(kubeletOomScoreAdj('Burstable', 6 * GiB, 24 * GiB)).toBe(750);
    expect(kubeletOomScoreAdj('Burstable', 0, 24 * GiB)).toBe(999);
    expect(kubeletOomScoreAdj('Burstable', 24 * GiB, 24 * GiB)).toBe(3);
  });

  test('a runtime that raises negatives to 0 changes Guaranteed only', () => {
    expect(clampedOomScoreAdj(-997)).toBe(0);
    expect(clampedOomScoreAdj(990)).toBe(990);
  });

  test('whether a node raises negative values is read from its pod sandbox: -998 applied, 0 raised, anything else refused', () => {
    expect(clampsNegativeOomScoreAdj(-998)).toBe(false);
    expect(clampsNegativeOomScoreAdj(0)).toBe(true);
    expect(() => clampsNegativeOomScoreAdj(-500)).toThrow(/neither the runtime's -998 nor 0/);
  });
});

describe('QoS evidence', () => {
  const pod = (qosClass: string, resources: Record<string, Record<string, string>>): V1Pod =>
    ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'idle', resources }] }, status: { qosClass } });
  const guaranteed = pod('Guaranteed', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
  const limits = (oomScoreAdj: number, path: string, memoryLimitBytes?: number, cpuWeight = 102) =>
    ({ cgroup: 'v1' as const, oomScoreAdj, cgroupPath: path, cpuWeight, ...(memoryLimitBytes ? { memoryLimitBytes } : {}) });
  const gPath = '/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-podx.slice/c.scope';

  test('a Guaranteed pod on a clamping node shows 0 and passes; the same figures on an unadapted node do not', () => {
    const clamped = qosEvidence(guaranteed, 'idle', limits(0, gPath, 64 * MiB), 24 * GiB, true);
    expect(qosMismatches(clamped, 'Guaranteed')).toEqual([]);
    expect(oomScoreAdjFor(clamped, 'Guaranteed')).toEqual({ kubelet: -997, here: 0 });
    const unadapted = qosEvidence(guaranteed, 'idle', limits(0, gPath, 64 * MiB), 24 * GiB, false);
    expect(qosMismatches(unadapted, 'Guaranteed')).toEqual(['oom_score_adj is 0, not Guaranteed\'s -997']);
  });

  test('a Burstable pod asked about as Guaranteed names every figure that differs', () => {
    const almost = pod('Burstable', { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
    const evidence = qosEvidence(almost, 'idle',
      limits(998, '/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/p/c', 64 * MiB, 51), 24 * GiB, true);
    expect(qosMismatches(evidence, 'Burstable')).toEqual([]);
    expect(qosMismatches(evidence, 'Guaranteed')).toEqual([
      'status.qosClass is Burstable, not Guaranteed',
      expect.stringMatching(/^runs in the Burstable cgroup tier/),
      'oom_score_adj is 998, not Guaranteed\'s 0 (the kubelet\'s -997, raised to 0 by this node\'s runtime)',
    ]);
  });

  test('memory limit and CPU weight must be what the container spec asks; a limit alone sets the request', () => {
    const limitOnly = pod('Guaranteed', { limits: { cpu: '100m', memory: '64Mi' } });
    const evidence = qosEvidence(limitOnly, 'idle', limits(0, gPath, undefined, 2), 24 * GiB, true);
    expect(evidence.memoryRequestBytes).toBe(64 * MiB);
    expect(qosMismatches(evidence, 'Guaranteed')).toEqual([
      'the cgroup memory limit is unlimited, not the container\'s 67108864',
      'the CPU weight is 2, not the CPU request\'s 102 (cpu.shares)',
    ]);
  });
});

describe('cpu.shares to cgroup v2 cpu.weight', () => {
  it('must give runc\'s fixed points: 2 -> 1, 1024 -> 100 (v2\'s default) and 262144 -> 10000 for the quadratic, 1024 -> 39 for the linear', () => {
    const { linear, quadratic } = CPU_WEIGHT_CONVERSIONS;
    expect([2, 1024, 262144].map(quadratic)).toEqual([1, 100, 10000]);
    expect([2, 1024, 262144].map(linear)).toEqual([1, 39, 10000]);
  });

  it('must agree with runc\'s own table for the quadratic (opencontainers/cgroups utils_test.go, TestConvertCPUSharesToCgroupV2Value)', () => {
    // shares -> weight: unset, below the minimum, minimum, just above it, default, just below the maximum, maximum, above it.
    const table: Array<[number, number]> = [[0, 0], [1, 1], [2, 1], [3, 2], [1024, 100], [262143, 10000], [262144, 10000], [262145, 10000]];
    expect(table.map(([shares]) => [shares, CPU_WEIGHT_CONVERSIONS.quadratic(shares)])).toEqual(table);
  });

  it('must agree with the linear conversion\'s own tests (containerd/cgroups cgroup2, runc before 1.3.2): 5000 shares -> 191', () => {
    // containerd/cgroups TestToResources: weight = 1 + ((shares - 2) * 9999) / 262142 for 5000 shares.
    expect(CPU_WEIGHT_CONVERSIONS.linear(5000)).toBe(191);
    expect(CPU_WEIGHT_CONVERSIONS.linear(0)).toBe(0);
  });

  it('must name the conversion the reading matched, and both where they give the same value', () => {
    const expected = expectedCpuWeights(100, 'v2');
    expect(expected).toEqual({ 'cpu.weight (linear)': 4, 'cpu.weight (quadratic)': 17 });
    expect(cpuWeightConversion({ cpuWeight: 17, expectedCpuWeights: expected })).toBe('cpu.weight (quadratic)');
    expect(cpuWeightConversion({ cpuWeight: 4, expectedCpuWeights: expected })).toBe('cpu.weight (linear)');
    expect(cpuWeightConversion({ cpuWeight: 1, expectedCpuWeights: expectedCpuWeights(0, 'v2') }))
      .toBe('cpu.weight (linear) and cpu.weight (quadratic)');
    expect(cpuWeightConversion({ cpuWeight: 10, expectedCpuWeights: expected })).toBeUndefined();
  });
});
