import { deriveFigures } from '../../lib/rollout/ledger/derive.ts';
import type { RequestRecord } from '../../lib/rollout/ledger/types.ts';
import { decodeLedger, encodeLedger, encodeProgress, lastProgress } from '../../lib/rollout/load/pod-protocol.ts';
import { judgeTermination } from '../../lib/rollout/graceful.ts';
import { momentsLine, type RolloutOutcome } from '../../lib/rollout/outcome.ts';
import type { RolloutRun } from '../../lib/rollout/driver.ts';
import type { PodEvent } from '../../lib/kit/pod-observer.ts';
import { trafficMoved } from '../../lib/rollout/traffic.ts';
import { zeroLossVerdict } from '../../lib/rollout/verdict.ts';
import { versionPatch } from '../../lib/rollout/workload.ts';
import { agnhostWorkload } from '../../lib/rollout/spec.ts';

const ok = (i: number): RequestRecord => ({ mode: 'fresh', start: i, end: i + 1, status: 200, version: 'v2' });

function outcome(records: RequestRecord[], extra: Partial<RolloutOutcome> = {}): RolloutOutcome {
  const f = deriveFigures(records);
  return {
    case: 'c', overall: f, byMode: { fresh: f }, endsOnNewVersion: { fresh: true }, rolloutSeconds: 10,
    oldPodsGraceful: 3, oldPodsTotal: 3, timeline: [], failures: [], load: {}, modesWithoutRecords: [], ...extra,
  };
}

describe('zeroLossVerdict', () => {
  const thin: Partial<RolloutOutcome> = { load: { fresh: { windowSeconds: 10, offeredPerSecond: 200, sentInWindow: 1500, achievedPerSecond: 150,
    fraction: 0.75, maxSendGapMs: 20, maxSendGapAt: 0, ok: false, problem: 'fresh: 150 of 200 req/s over the rollout window (< 95 %)' } } };

  it('measures a thin run once more only when nothing but its load was wrong', () => {
    const clean = zeroLossVerdict(outcome(Array.from({ length: 6 }, (_, i) => ok(i)), thin), 10, 'v2');
    expect(clean).toMatchObject({ kind: 'load-too-thin', measureAgain: true });
    expect(clean.problems).toContain('fresh: only 6 requests (< 10)');
  });

  it('does not measure again a thin run whose old pods were SIGKILLed, whose tail missed the new version, or that lost a request', () => {
    const records = Array.from({ length: 20 }, (_, i) => ok(i));
    expect(zeroLossVerdict(outcome(records, { ...thin, oldPodsGraceful: 1 }), 10, 'v2')).toMatchObject({ kind: 'load-too-thin', measureAgain: false });
    expect(zeroLossVerdict(outcome(records, { ...thin, endsOnNewVersion: { fresh: false } }), 10, 'v2').measureAgain).toBe(false);
    const lost = [...records, { mode: 'fresh' as const, start: 30, end: 31, error: 'refused' as const }];
    expect(zeroLossVerdict(outcome(lost, thin), 10, 'v2').measureAgain).toBe(false);
    expect(zeroLossVerdict(outcome(records), 10, 'v2')).toMatchObject({ kind: 'zero-loss', measureAgain: false });
  });

  it('passes a clean run and says so with the counts', () => {
    const v = zeroLossVerdict(outcome(Array.from({ length: 10 }, (_, i) => ok(i))), 10, 'v2');
    expect(v.ok).toBe(true);
    expect(v.message).toMatch(/^zero loss — fresh: 0 of 10 failed/);
  });

  it('fails with counts on lost requests, too few requests, old tail, ungraceful pods', () => {
    const records = [...Array.from({ length: 5 }, (_, i) => ok(i)), { mode: 'fresh' as const, start: 9, end: 10, error: 'refused' as const }];
    const v = zeroLossVerdict(outcome(records, { endsOnNewVersion: { fresh: false }, oldPodsGraceful: 2 }), 10, 'v2');
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      'fresh: only 6 requests (< 10)',
      'fresh: 1 of 6 requests failed (refused 1), 0.001 s disrupted',
      'fresh: the last answers did not all come from v2',
      'only 2 of 3 old pods terminated gracefully',
    ]);
    expect(v.message).toContain('fresh: 1 of 6 failed');
  });

  it('places a loss in time: when each mode failed, and the run\'s moments beside it', () => {
    const records = [ok(0), { mode: 'fresh' as const, start: 31_200, end: 31_201, error: 'reset-new-connection' as const },
      { mode: 'fresh' as const, start: 32_950, end: 33_000, error: 'reset-new-connection' as const }, ok(40_000)];
    const moments = 'patched 2.1, rolled out 9.2, old pods exited 13.1, last old pod gone 20.4, load stopped 50.3; pods not ready while not terminating: none';
    const v = zeroLossVerdict(outcome(records, { failedSpan: { fresh: [31_200, 33_000] }, moments }), 4, 'v2');
    expect(v.problems).toEqual(['fresh: 2 of 4 requests failed (reset-new-connection 2), 0.051 s disrupted, from 31.2 to 33.0 s']);
    expect(v.message).toMatch(/ — when \(s after the load started\): patched 2\.1, .* load stopped 50\.3; pods not ready while not terminating: none$/);
    // A clean run's message stays the counts alone.
    expect(zeroLossVerdict(outcome([ok(0), ok(1)], { moments }), 2, 'v2').message).not.toContain('when');
  });
});

describe('momentsLine', () => {
  const event = (at: number, pod: string, kind: PodEvent['kind'], version = 'v1'): PodEvent => ({ at, pod, kind, version });
  const run = (podEvents: PodEvent[]) => ({
    spec: { from: { name: 'v1' }, to: { name: 'v2' } } as RolloutRun['spec'],
    phases: { patchedAt: 2_100, rolledOutAt: 9_200, oldPodsGoneAt: 20_400, loadStoppedAt: 50_300, windowStartAt: 2_100, windowEndAt: 23_400 },
    podEvents,
  });

  it('lists the old pods\' exits and names a pod that went not ready while still serving', () => {
    const line = momentsLine(run([
      event(0, 'old-a', 'ready'), event(4_000, 'old-a', 'terminating'), event(6_900, 'old-a', 'not-ready'), event(13_100, 'old-a', 'exited'),
      event(3_900, 'new-b', 'ready', 'v2'), event(31_000, 'new-b', 'not-ready', 'v2'), event(32_800, 'new-b', 'ready', 'v2'),
    ]));
    expect(line).toBe('patched 2.1, rolled out 9.2, old pods exited 13.1, last old pod gone 20.4, load stopped 50.3; ' +
      'pods not ready while not terminating: new-b at 31.0');
  });

  it('says "none" and "never" when nothing of the kind happened', () => {
    expect(momentsLine(run([]))).toBe('patched 2.1, rolled out 9.2, old pods exited never, last old pod gone 20.4, load stopped 50.3; ' +
      'pods not ready while not terminating: none');
  });
});

describe('judgeTermination', () => {
  const pod = { name: 'p', ready: false, version: 'v1', terminatingAt: 10_000, gracePeriodSeconds: 15 };
  it('accepts exit 0 (or 143): the kubelet\'s kill at the deadline would have been a SIGKILL', () => {
    expect(judgeTermination({ ...pod, terminated: { exitCode: 0, reason: 'Completed', finishedAt: 15_000 } })).toMatchObject({ graceful: true, exitCode: 0 });
    expect(judgeTermination({ ...pod, terminated: { exitCode: 143, finishedAt: 11_000 } }).graceful).toBe(true);
  });
  it('rejects SIGKILL, other exit codes and an unseen termination, and compares no node time with this process\'s', () => {
    expect(judgeTermination({ ...pod, terminated: { exitCode: 137, finishedAt: 25_000 } })).toMatchObject({ graceful: false, why: expect.stringContaining('SIGKILL') });
    expect(judgeTermination({ ...pod, terminated: { exitCode: 2, finishedAt: 11_000 } }).graceful).toBe(false);
    // finishedAt (the node's clock) 30 s past this process's terminatingAt: a skew, not a late exit.
    expect(judgeTermination({ ...pod, terminated: { exitCode: 0, finishedAt: 40_000 } }).graceful).toBe(true);
    expect(judgeTermination(pod).graceful).toBe(false);
  });
});

describe('trafficMoved', () => {
  const versionOf = (a: string) => (a.startsWith('new-') ? 'v2' : 'v1');
  it('needs a full tail of successful new-version answers in every mode', () => {
    expect(trafficMoved({ fresh: { total: 9, failed: 0, tail: ['new-a', 'new-b'] } }, 'v2', versionOf, 2)).toBe(true);
    expect(trafficMoved({ fresh: { total: 9, failed: 0, tail: ['new-a', null] } }, 'v2', versionOf, 2)).toBe(false);
    expect(trafficMoved({ fresh: { total: 9, failed: 0, tail: ['new-a'] } }, 'v2', versionOf, 2)).toBe(false);
    expect(trafficMoved({
      fresh: { total: 9, failed: 0, tail: ['new-a', 'new-b'] }, keepalive: { total: 9, failed: 0, tail: ['old-a', 'new-b'] },
    }, 'v2', versionOf, 2)).toBe(false);
    expect(trafficMoved({}, 'v2', versionOf, 2)).toBe(false);
  });
});

describe('pod protocol', () => {
  it('round-trips a ledger through log lines and finds the latest progress', () => {
    const ledger = { startedAtEpochMs: 1, target: 'http://web', records: [ok(1), { mode: 'keepalive' as const, start: 2, end: 3, error: 'reset-reused-before-answer' as const }] };
    const log = [encodeProgress({ epochMs: 1, atMs: 0, progress: {} }), encodeProgress({ epochMs: 1, atMs: 500, progress: { fresh: { total: 2, failed: 0, tail: [] } } }), ...encodeLedger(ledger)].join('\n');
    expect(decodeLedger(log)).toEqual(ledger);
    expect(lastProgress(log)?.progress.fresh?.total).toBe(2);
  });
  it('refuses a truncated ledger', () => {
    const lines = [...encodeLedger({ startedAtEpochMs: 1, target: 't', records: [ok(1), ok(2)] })];
    expect(() => decodeLedger(lines.slice(0, 2).join('\n'))).toThrow(/1 of 2 records/);
  });
});

describe('versionPatch', () => {
  it('changes the version label, env and image of the pod template', () => {
    const spec = { ...agnhostWorkload('img:1', 5), to: { name: 'v2', image: 'img:2', env: { A: 'b' } } };
    expect(versionPatch(spec)).toEqual([
      { op: 'replace', path: '/spec/template/metadata/labels/workload-conformance.io~1version', value: 'v2' },
      { op: 'replace', path: '/spec/template/spec/containers/0/env', value: [{ name: 'A', value: 'b' }, { name: 'WC_VERSION', value: 'v2' }] },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'img:2' },
    ]);
  });
});

describe('judgeTermination with events', () => {
  const pod = { name: 'p', ready: false, version: 'v1', terminatingAt: 10_000, gracePeriodSeconds: 15, terminated: { exitCode: 0, finishedAt: 15_000 } };
  it('keeps the event reasons as evidence and fails a stop the kubelet reported trouble with', () => {
    expect(judgeTermination(pod, ['Scheduled', 'Started', 'Killing', 'Killing'])).toMatchObject({ graceful: true, events: ['Scheduled', 'Started', 'Killing'] });
    expect(judgeTermination(pod, ['Killing', 'FailedPreStopHook'])).toMatchObject({ graceful: false, why: 'event FailedPreStopHook' });
  });
});

describe('zeroLossVerdict and the load rule', () => {
  const thin = { windowSeconds: 10, offeredPerSecond: 200, sentInWindow: 100, achievedPerSecond: 10, fraction: 0.05, maxSendGapMs: 5000, maxSendGapAt: 0, ok: false, problem: 'fresh: too thin' };
  it('a zero-loss run whose load was too thin is "load too thin to judge", never passed', () => {
    const v = zeroLossVerdict(outcome(Array.from({ length: 10 }, (_, i) => ok(i)), { load: { fresh: thin } }), 10, 'v2');
    expect(v).toMatchObject({ ok: false, kind: 'load-too-thin' });
    expect(v.message).toMatch(/^load too thin to judge: fresh: too thin/);
  });
  it('a configured mode without records is too thin to judge', () => {
    const v = zeroLossVerdict(outcome(Array.from({ length: 10 }, (_, i) => ok(i)), { modesWithoutRecords: ['keepalive'] }), 10, 'v2');
    expect(v).toMatchObject({ ok: false, kind: 'load-too-thin' });
    expect(v.message).toMatch(/keepalive: no requests recorded/);
  });
  it('losses with enough load are "lost"', () => {
    const records = [...Array.from({ length: 10 }, (_, i) => ok(i)), { mode: 'fresh' as const, start: 9, end: 10, error: 'reset-reused-before-answer' as const }];
    expect(zeroLossVerdict(outcome(records), 10, 'v2').kind).toBe('lost');
  });
});
