import type { CpuWindow } from '../../../lib/kit/cpu-usage.ts';
import { cpuLimitVerdict, cpuWindowCommand, parseCpuSample, parseCpuWindow, unlimitedControlVerdict } from '../../../lib/kit/cpu-usage.ts';

const v1 = (uptime: string, usage: number, periods: number, throttled: number, throttledNs: number, quota = 20000) =>
  `uptime ${uptime}\ncgroup v1\nnr_periods ${periods}\nnr_throttled ${throttled}\nthrottled_time ${throttledNs}\n` +
  `usage_ns ${usage}\ncfs_quota_us ${quota}\ncfs_period_us 100000\n`;

describe('CPU accounting from a container\'s cgroup', () => {
  test('a cgroup v1 window: CPU time over wall time in millicores, throttled periods and time, the quota', () => {
    const window = parseCpuWindow(`${v1('100.00', 5e9, 300, 290, 20e9)}---\n${v1('110.00', 7.02e9, 400, 389, 28e9)}`);
    expect(window).toEqual({ cgroup: 'v1', wallSeconds: 10, cpuSeconds: 2.02, usedMillicores: 202, periods: 100,
      throttledPeriods: 99, throttledSeconds: 8, quotaMillicores: 200 });
  });

  test('no quota (-1) means no limit', () => {
    expect(parseCpuSample(v1('1.5', 1, 0, 0, 0, -1)).quotaCores).toBeUndefined();
  });

  test('a cgroup v2 sample: usage and throttled time in microseconds, cpu.max quota over period', () => {
    const text = 'uptime 50.25\ncgroup v2\nusage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\n' +
      'nr_throttled 4\nthrottled_usec 2000\nnr_bursts 0\nburst_usec 0\ncpu.max 20000 100000\n';
    expect(parseCpuSample(text)).toEqual({ cgroup: 'v2', uptimeSeconds: 50.25, usageNs: 1.5e6, periods: 10,
      throttledPeriods: 4, throttledNs: 2e6, quotaCores: 0.2 });
    expect(parseCpuSample(text.replace('cpu.max 20000 100000', 'cpu.max max 100000')).quotaCores).toBeUndefined();
  });

  test('a sample missing a figure, or output that is not two samples, is an error, not a zero', () => {
    expect(() => parseCpuSample('uptime 1\ncgroup v1\nnr_periods 1\n')).toThrow(/no numeric cfs_quota_us/);
    expect(() => parseCpuSample('uptime 1\n')).toThrow(/names no cgroup version/);
    expect(() => parseCpuWindow(v1('1', 1, 1, 1, 1))).toThrow(/two cgroup samples/);
  });

  test('the command samples twice around a sleep of the window', () => {
    const [, , script] = cpuWindowCommand(10);
    expect(script).toMatch(/sample; echo ---; sleep 10; sample$/);
  });
});

describe('the CPU-limit check', () => {
  const window = (over: Partial<CpuWindow>): CpuWindow => ({ cgroup: 'v1', wallSeconds: 10, cpuSeconds: 1.8, usedMillicores: 181, periods: 100,
    throttledPeriods: 95, throttledSeconds: 7, quotaMillicores: 200, ...over });

  it('must hold for a container with the quota, at most 110 % of it used, and throttled', () => {
    expect(cpuLimitVerdict(window({}), 200, 1.1)).toEqual({ held: true, failures: [] });
    expect(cpuLimitVerdict(window({ usedMillicores: 220 }), 200, 1.1).held).toBe(true);
  });

  it('must fail, naming each part, for a container without the quota that was never throttled, whatever CPU it got', () => {
    expect(cpuLimitVerdict(window({ quotaMillicores: undefined, throttledPeriods: 0, usedMillicores: 207 }), 200, 1.1))
      .toEqual({ held: false, failures: ['CFS quota none, not 200m', 'never throttled'] });
    expect(cpuLimitVerdict(window({ usedMillicores: 400 }), 200, 1.1).failures).toEqual(['used 400m, over 110 % of 200m']);
  });
});

describe('the control: an unlimited container judged against the limited one in the same window', () => {
  const window = (over: Partial<CpuWindow>): CpuWindow => ({ cgroup: 'v2', wallSeconds: 10, cpuSeconds: 1.16, usedMillicores: 116, periods: 100,
    throttledPeriods: 42, throttledSeconds: 3, quotaMillicores: 200, ...over });
  const unlimited = (usedMillicores: number): CpuWindow =>
    window({ usedMillicores, quotaMillicores: undefined, throttledPeriods: 0, throttledSeconds: 0 });

  it('must hold for no quota, no throttling and at least 25 % more CPU than the limited one got, however little that is', () => {
    expect(unlimitedControlVerdict(unlimited(445), window({}), 1.25)).toEqual({ held: true, failures: [], neededMillicores: 145 });
    // A busy node: 207m is below the limit, yet well above the limited one's 116m in the same window.
    expect(unlimitedControlVerdict(unlimited(207), window({}), 1.25).held).toBe(true);
  });

  it('must fail, naming the figures, when the unlimited one got less than the margin above the limited one', () => {
    expect(unlimitedControlVerdict(unlimited(240), window({ usedMillicores: 200 }), 1.25)).toEqual({ held: false, neededMillicores: 250,
      failures: ['used 240m, under 25 % more than the limited container\'s 200m in the same window (250m)'] });
  });

  it('must fail for a container that has a quota or was throttled, whatever CPU it got', () => {
    expect(unlimitedControlVerdict(window({ usedMillicores: 900, quotaMillicores: 1000 }), window({}), 1.25).failures)
      .toEqual(['CFS quota 1000m: it is limited', 'throttled in 42 of 100 periods']);
  });
});
