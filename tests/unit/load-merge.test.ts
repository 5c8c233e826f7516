import { judgeShared } from '../../lib/rollout/load-rule.ts';
import type { RawLedger, RequestRecord } from '../../lib/rollout/ledger/types.ts';
import { AxisClock } from '../../lib/rollout/load/axis-clock.ts';
import { mergeLedgers, mergeProgress, shareOf } from '../../lib/rollout/load/merge.ts';
import { progressOf } from '../../lib/rollout/load/progress.ts';
import { loadManifest } from '../../lib/kit/manifests.ts';

const record = (start: number, answer = 'web-a', status = 200): RequestRecord => ({ mode: 'fresh', start, end: start + 2, status, answer });
const every = (from: number, to: number, stepMs: number) => Array.from({ length: Math.ceil((to - from) / stepMs) }, (_, i) => from + i * stepMs);

describe('several generator pods as one load', () => {
  it('gives each pod its share of the rate and of the in-flight bound, and one pod everything', () => {
    const settings = { ratePerSecond: 200, concurrency: 1025, modes: ['fresh'] };
    expect(shareOf(settings, 1)).toBe(settings);
    expect(shareOf(settings, 2)).toEqual({ ratePerSecond: 100, concurrency: 513, modes: ['fresh'] });
  });

  it('sums the progress per mode and keeps the most recent answers across pods, each pod\'s tail put on one axis by its epoch', () => {
    // Pod b started 1 s after pod a: its t=500 is a's t=1500, later than a's last answer at 1200.
    const a = progressOf([record(1000, 'old'), record(1200, 'old', 503)], 2);
    const b = progressOf([record(400, 'new'), record(500, 'new')], 2);
    const merged = mergeProgress([{ epochMs: 10_000, progress: a }, { epochMs: 11_000, progress: b }], 10_000, 3);
    expect(merged.fresh).toEqual({ total: 4, failed: 1, tail: [null, 'new', 'new'], tailStarts: [1200, 1400, 1500] });
  });

  it('merges the ledgers on the earliest pod\'s placed axis, every record kept and tagged with its pod, the worst event-loop block kept', () => {
    // The pods' own wall clocks (startedAtEpochMs) disagree by 9 s; only the placed zeros (epochMs) count.
    const a: RawLedger = { startedAtEpochMs: 14_000, target: 't', records: [record(10), record(20, 'web-a', 503)], eventLoopBlockedMaxMs: 40 };
    const b: RawLedger = { startedAtEpochMs: 5000, target: 't', records: [record(10)], eventLoopBlockedMaxMs: 90 };
    const merged = mergeLedgers([
      { pod: { name: 'g-1', node: 'w1' }, ledger: a, epochMs: 5000.5, clock: { reads: 30, bestReadMs: 4 } },
      { pod: { name: 'g-2', node: 'w2' }, ledger: b, epochMs: 5000 },
    ]);
    expect(merged.startedAtEpochMs).toBe(5000);
    expect(merged.records.map((r) => [r.start, r.generator, r.status])).toEqual([[10.5, 0, 200], [20.5, 0, 503], [10, 1, 200]]);
    expect(merged.eventLoopBlockedMaxMs).toBe(90);
    expect(merged.generators).toEqual([
      { name: 'g-1', node: 'w1', startedAtEpochMs: 5000.5, records: 2, eventLoopBlockedMaxMs: 40, clock: { reads: 30, bestReadMs: 4, podEpochMs: 14_000 } },
      { name: 'g-2', node: 'w2', startedAtEpochMs: 5000, records: 1, eventLoopBlockedMaxMs: 90 },
    ]);
  });
});

describe('a generator pod\'s axis on this process\'s clock', () => {
  it('takes the tightest bound over the reads: a line read at t was printed no later than t', () => {
    const clock = new AxisClock();
    expect(() => clock.epochMs).toThrow('not placed');
    // The pod's zero is at 1000 here (its own wall clock says anything). Reads: stale line, fresh line, staler line.
    clock.observe(1200, 1240, 100); // printed at 1100, read 140 ms later
    clock.observe(1500, 1512, 500); // printed at 1500, answered 12 ms later
    clock.observe(1800, 1900, 750);
    expect(clock.epochMs).toBe(1012);
    expect(clock.evidence).toEqual({ reads: 3, bestReadMs: 12 });
  });

  it('is never early, whatever the order of the reads', () => {
    const clock = new AxisClock();
    for (const [sent, received, at] of [[3000, 3050, 1990], [2000, 2001, 999], [2500, 2600, 1400]] as const) clock.observe(sent, received, at);
    expect(clock.epochMs).toBe(1002);
    expect(clock.epochMs).toBeGreaterThanOrEqual(1000);
  });
});

describe('the load rule over several generator pods', () => {
  const rule = { offeredPerSecond: 100, maxSendGapMs: 1000 };
  const generators = [{ name: 'g-1' }, { name: 'g-2' }];
  const tagged = (starts: number[], generator: number): RequestRecord[] => starts.map((s) => ({ ...record(s), generator }));

  it('passes when every pod sends its share without a gap, with the sums as the mode\'s figures', () => {
    const records = [...tagged(every(0, 10_000, 20), 0), ...tagged(every(10, 10_000, 20), 1)];
    const l = judgeShared(records, 0, 10_000, rule, 'fresh', generators);
    expect(l).toMatchObject({ ok: true, sentInWindow: 1000, achievedPerSecond: 100, fraction: 1, maxSendGapMs: 20 });
    expect(l.generators?.map((g) => g.offeredPerSecond)).toEqual([50, 50]);
  });

  it('does not let one pod\'s sends hide another pod\'s gap, which the merged sends alone would pass', () => {
    // Pod 2 (above its share otherwise) is silent from 4 to 6 s while pod 1 sends on: the merged sends never pause.
    const records = [...tagged(every(0, 10_000, 10), 0), ...tagged(every(0, 10_000, 10).filter((s) => s < 4000 || s >= 6000), 1)];
    expect(judgeShared(records, 0, 10_000, rule, 'fresh').ok).toBe(true);
    const l = judgeShared(records, 0, 10_000, rule, 'fresh', generators);
    expect(l.ok).toBe(false);
    expect(l.maxSendGapMs).toBe(2010);
    expect(l.problem).toBe('fresh from g-2: no request sent for 2010 ms from t=3990 ms (bound 1000 ms)');
  });

  it('fails a pod below 95 % of its share though the sum reaches the offered rate', () => {
    const records = [...tagged(every(0, 10_000, 10), 0), ...tagged(every(0, 10_000, 25), 1)];
    const l = judgeShared(records, 0, 10_000, { offeredPerSecond: 120, maxSendGapMs: 1000 }, 'keepalive', generators);
    expect(l.achievedPerSecond).toBe(140);
    expect(l.fraction).toBe(0.667);
    expect(l.problem).toBe('keepalive from g-2: 40 req/s sent in the 10 s rollout window, 66.7 % of the offered 60 (< 95 %)');
  });

  it('judges one generator exactly as before', () => {
    const records = tagged(every(0, 10_000, 10), 0);
    expect(judgeShared(records, 0, 10_000, rule, 'fresh', [{ name: 'g' }])).toEqual(judgeShared(records, 0, 10_000, rule, 'fresh'));
    expect(judgeShared(records, 0, 10_000, rule, 'fresh').generators).toBeUndefined();
  });
});

describe('the generator pods\' manifest', () => {
  it('spreads the pods of one load over the nodes, softly, and mounts the shared bundle', () => {
    const [pod] = loadManifest('rollout-loadgen.yaml', { NAME: 'wc-loadgen-2', BUNDLE: 'wc-loadgen', LOADGEN_IMAGE: 'node:24', SETTINGS_JSON: '"{}"' }, 'r1') as never[] as {
      metadata: { labels: Record<string, string> };
      spec: { topologySpreadConstraints: { whenUnsatisfiable: string; labelSelector: unknown }[]; volumes: { configMap?: { name: string } }[] } }[];
    const selector = { matchLabels: { 'workload-conformance.io/loadgen': 'wc-loadgen' } };
    expect(pod!.metadata.labels['workload-conformance.io/loadgen']).toBe('wc-loadgen');
    expect(pod!.spec.topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector })]);
    expect(pod!.spec.volumes.find((v) => v.configMap)?.configMap?.name).toBe('wc-loadgen');
  });
});
