import { deriveFigures, failureIntervals, lastAnswerFrom, tailAnsweredBy, versionTimeline } from '../../lib/rollout/ledger/derive.ts';
import { mergeIntervals, unionLength } from '../../lib/rollout/ledger/intervals.ts';
import { percentile } from '../../lib/rollout/ledger/percentiles.ts';
import { resolveAnswers } from '../../lib/rollout/ledger/resolve.ts';
import type { RequestRecord } from '../../lib/rollout/ledger/types.ts';

const ok = (start: number, end: number, version = 'v1', mode: RequestRecord['mode'] = 'fresh'): RequestRecord => ({
  mode, start, end, status: 200, version,
});
const fail = (start: number, end: number, error: RequestRecord['error'] = 'reset-mid-response'): RequestRecord => ({
  mode: 'keepalive', start, end, error,
});

describe('failure interval union', () => {
  it('counts overlapping failures once and gaps not at all', () => {
    expect(unionLength([[0, 100], [50, 150], [300, 400]])).toBe(250);
  });
  it('merges nested and touching intervals regardless of input order', () => {
    expect(mergeIntervals([[500, 600], [0, 100], [10, 20], [100, 200]])).toEqual([[0, 200], [500, 600]]);
  });
  it('is zero for no failures', () => {
    expect(unionLength([])).toBe(0);
  });
});

describe('percentile (nearest rank)', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  it('picks real samples', () => {
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('deriveFigures', () => {
  it('derives totals, failure causes and disruption from overlapping failures', () => {
    const records = [ok(0, 10), fail(100, 600), fail(400, 900, 'refused'), fail(2000, 2500, 'timeout'), ok(3000, 3010, 'v2')];
    const f = deriveFigures(records);
    expect(f.total).toBe(5);
    expect(f.failed).toBe(3);
    expect(f.failuresByCause).toEqual({ 'reset-mid-response': 1, refused: 1, timeout: 1 });
    // [100,900] ∪ [2000,2500] = 800 + 500 ms
    expect(f.disruptionSeconds).toBe(1.3);
    expect(f.answersByVersion).toEqual({ v1: 1, v2: 1 });
  });

  it('counts a timeout by the stage it ran out in, when the generator recorded one', () => {
    const f = deriveFigures([{ ...fail(0, 10_000, 'timeout'), timedOutIn: 'connect' }, { ...fail(5, 10_005, 'timeout'), timedOutIn: 'connect' },
      { ...fail(9, 10_009, 'timeout'), timedOutIn: 'lookup' }, fail(20, 10_020, 'timeout')]);
    expect(f.failuresByCause).toEqual({ 'timeout-connect': 2, 'timeout-lookup': 1, timeout: 1 });
  });

  it('gives the same figures for out-of-order completions', () => {
    const inOrder = [ok(0, 5), ok(1, 50), fail(2, 30), ok(3, 4), fail(10, 20)];
    const shuffled = [inOrder[2]!, inOrder[4]!, inOrder[0]!, inOrder[3]!, inOrder[1]!];
    expect(deriveFigures(shuffled)).toEqual(deriveFigures(inOrder));
    expect(deriveFigures(shuffled).disruptionSeconds).toBe(0.028);
    expect(deriveFigures(shuffled).spanSeconds).toBe(0.05);
  });

  it('counts a non-2xx answer as a failure with its status as the cause', () => {
    const f = deriveFigures([{ mode: 'fresh', start: 0, end: 1, status: 503 }, ok(1, 2)]);
    expect(f.failed).toBe(1);
    expect(f.failuresByCause).toEqual({ 'http-503': 1 });
  });

  it('reports latency percentiles over all requests and the rate over the span', () => {
    const records = Array.from({ length: 100 }, (_, i) => ok(i * 10, i * 10 + i + 1));
    const f = deriveFigures(records);
    expect(f.latencyMs).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(f.spanSeconds).toBe(1.09); // 0 .. 990 + 100
    expect(f.ratePerSecond).toBeCloseTo(100 / 1.09, 2);
  });

  it('handles an empty ledger', () => {
    expect(deriveFigures([])).toMatchObject({ total: 0, failed: 0, disruptionSeconds: 0, ratePerSecond: 0 });
  });
});

describe('versionTimeline', () => {
  it('buckets completions by version, counts failures apart and keeps empty buckets', () => {
    const records = [ok(0, 900, 'v2'), ok(0, 100), fail(1500, 1600), ok(3100, 3200, 'v2'), ok(50, 950)];
    expect(versionTimeline(records, 1000)).toEqual([
      { t: 0, byVersion: { v1: 2, v2: 1 }, failed: 0 },
      { t: 1000, byVersion: {}, failed: 1 },
      { t: 2000, byVersion: {}, failed: 0 },
      { t: 3000, byVersion: { v2: 1 }, failed: 0 },
    ]);
  });
});

describe('traffic moved', () => {
  it('requires the last n requests by start time to be successful answers from the version', () => {
    const records = [ok(0, 1), ok(10, 11, 'v2'), ok(20, 21, 'v2'), ok(5, 30)]; // the v1 answer started early
    expect(tailAnsweredBy(records, 'v2', 2)).toBe(true);
    expect(tailAnsweredBy(records, 'v2', 3)).toBe(false);
    expect(tailAnsweredBy([...records, fail(40, 41)], 'v2', 2)).toBe(false);
    expect(tailAnsweredBy(records, 'v2', 10)).toBe(false);
    expect(lastAnswerFrom(records, 'v1')).toBe(30);
    expect(lastAnswerFrom(records, 'v3')).toBeUndefined();
  });
});

describe('resolveAnswers', () => {
  it('maps pod names to versions, accepts version strings, leaves strangers unresolved', () => {
    const raw: RequestRecord[] = [
      { mode: 'fresh', start: 0, end: 1, status: 200, answer: 'web-abc' },
      { mode: 'fresh', start: 0, end: 1, status: 200, answer: 'v2' },
      { mode: 'fresh', start: 0, end: 1, status: 200, answer: 'someone-else' },
      { mode: 'fresh', start: 0, end: 1, error: 'reset-mid-response' },
    ];
    const resolved = resolveAnswers(raw, { podVersions: new Map([['web-abc', 'v1']]), versions: ['v1', 'v2'] });
    expect(resolved.map((r) => [r.pod, r.version])).toEqual([
      ['web-abc', 'v1'], [undefined, 'v2'], [undefined, undefined], [undefined, undefined],
    ]);
  });
});

describe('failureIntervals', () => {
  it('returns merged intervals of failed requests only', () => {
    expect(failureIntervals([fail(5, 10), ok(0, 100), fail(8, 12), fail(50, 60)])).toEqual([[5, 12], [50, 60]]);
  });
});
