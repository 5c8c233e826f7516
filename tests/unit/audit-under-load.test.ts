import {
  deletionUnderLoadVerdict, drainVerdict, evictionBlockedVerdict, evictionVerdict, lossJudged, peakFindings, resourcesVerdict, restartVerdict, type UnderLoad,
} from '../../lib/checks/index.ts';
import type { Exit } from '../../lib/kit/index.ts';
import { deriveFigures } from '../../lib/rollout/ledger/derive.ts';
import type { RequestRecord } from '../../lib/rollout/ledger/types.ts';
import type { RolloutOutcome } from '../../lib/rollout/outcome.ts';
import type { EvictAllEvidence } from '../../lib/rollout/eviction.ts';
import { RESTARTED_AT, restartPatch } from '../../lib/rollout/restart.ts';
import { parseArgs } from '../../lib/run/cli/args.ts';

const ok = (i: number): RequestRecord => ({ mode: 'fresh', start: i * 10, end: i * 10 + 5, status: 200 });
const refused = (i: number): RequestRecord => ({ mode: 'fresh', start: i * 10, end: i * 10 + 1, error: 'refused' });

/** An under-load result as the checks read it: the outcome's figures and the zero-loss verdict's kind. */
function underLoad(records: RequestRecord[], kind: 'zero-loss' | 'lost' | 'load-too-thin' = 'zero-loss', problems: string[] = []): UnderLoad {
  const f = deriveFigures(records);
  const failed = records.filter((r) => r.error);
  const outcome = { case: 'c', overall: f, byMode: { fresh: f }, endsOnNewVersion: {}, load: {}, modesWithoutRecords: [], rolloutSeconds: 12.5,
    oldPodsGraceful: 1, oldPodsTotal: 1, timeline: [], failures: [],
    failedSpan: failed.length ? { fresh: [failed[0]!.start, failed.at(-1)!.end] } : {} } as unknown as RolloutOutcome;
  return {
    run: { spec: { from: { name: 'abc' }, to: { name: 'def' } }, podEvents: [], phases: { loadStoppedAt: 20_000 } } as unknown as UnderLoad['run'],
    outcome, zero: { ok: kind === 'zero-loss', kind, problems, message: '', measureAgain: false },
    files: { json: 'r.json', svg: 'r.svg', md: 'r.md' },
  };
}

const clean = () => underLoad(Array.from({ length: 100 }, (_, i) => ok(i)));
const lossy = () => underLoad([...Array.from({ length: 100 }, (_, i) => ok(i)), refused(40), refused(41), refused(300)], 'lost');

describe('requests under load, as the audit\'s checks judge them', () => {
  it('passes nothing lost, fails any failed request with its causes and when, an ended pod killed, and a load too thin to judge', () => {
    expect(lossJudged(clean())).toEqual({ level: 'pass', line: '0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully' });
    expect(lossJudged(lossy())).toEqual({ level: 'fail',
      line: '3 of 103 requests lost (refused 3), failed from fresh 0.4-3.0 s after the load started; 1 of 1 ended pod(s) stopped gracefully' });
    const killed = underLoad(Array.from({ length: 100 }, (_, i) => ok(i)), 'lost', ['only 0 of 1 old pods terminated gracefully']);
    killed.outcome.oldPodsGraceful = 0;
    expect(lossJudged(killed)).toEqual({ level: 'fail', line: '0 of 100 requests lost; 0 of 1 ended pod(s) stopped gracefully' });
    // Measured once more (the first load alone too thin): said, never hidden.
    expect(lossJudged({ ...clean(), thinFirst: 'load too thin to judge: fresh: no request sent for 2003 ms' }).line)
      .toBe('0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully (measured once more: the first load was too thin to judge)');
    expect(lossJudged(underLoad([ok(1)], 'load-too-thin', ['fresh: 10 of 50 req/s']))).toEqual({ level: 'fail', line: 'the load was too thin to judge (fresh: 10 of 50 req/s)' });
    // A pod killed at its grace period's end is said even when the load was too thin to judge the requests.
    const thinKilled = underLoad([ok(1)], 'load-too-thin', ['fresh: 10 of 50 req/s']);
    thinKilled.outcome.oldPodsGraceful = 0;
    expect(lossJudged(thinKilled).line).toBe('0 of 1 ended pod(s) stopped gracefully; the load was too thin to judge (fresh: 10 of 50 req/s)');
  });
});

const exit = (exitCode: number): Exit => ({ terminated: { exitCode, finishedAt: new Date(10_000) as never }, deleteSentAtMs: 0, observedAtMs: 0,
  kubeletActed: { atMs: 8_000, message: 'Stopping container app' } });

describe('the deletion check under load', () => {
  it('passes an exit 0 that lost nothing; fails a clean exit that lost requests (no drain), saying so; fails the grace period\'s kill', () => {
    expect(deletionUnderLoadVerdict(exit(0), 30, clean())).toMatchObject({ verdict: 'pass',
      summary: 'exited 0 on SIGTERM, at most 3 s after the kubelet acted (grace period 30 s); 0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully' });
    const nodrain = deletionUnderLoadVerdict(exit(0), 30, lossy());
    expect(nodrain.verdict).toBe('fail');
    expect(nodrain.summary).toMatch(/^3 of 103 requests lost \(refused 3\).*; it exited 0 on SIGTERM.*keep serving after SIGTERM/);
    expect(deletionUnderLoadVerdict(exit(137), 5, clean()).verdict).toBe('fail');
    // Containers OOM-killed under load: said with the loss, and the drain advice (not the answer then) left out.
    const oom = lossy();
    oom.run.podEvents.push({ at: 3000, pod: 'a', kind: 'restarted', detail: 'app: OOMKilled' }, { at: 9000, pod: 'b', kind: 'restarted', detail: 'app: OOMKilled' },
      { at: 25_000, pod: 'b', kind: 'restarted', detail: 'app: OOMKilled' });
    const oomVerdict = deletionUnderLoadVerdict(exit(0), 30, oom);
    expect(oomVerdict.summary).toContain('; 2 container restart(s) under load (app: OOMKilled x2); it exited 0 on SIGTERM');
    expect(oomVerdict.summary).toContain('see the resources check');
    expect(oomVerdict.summary).not.toContain('preStop');
    expect(deletionUnderLoadVerdict(exit(143), 30, clean()).verdict).toBe('advice');
  });
});

describe('the rolling restart check', () => {
  it('passes a restart that lost nothing and fails one that lost any; kube-score and Polaris warn only without a readiness probe', () => {
    const withProbe = { name: 'app', readinessProbe: { httpGet: { path: '/', port: 80 } } };
    expect(restartVerdict(clean(), withProbe)).toMatchObject({ verdict: 'pass', summary: 'every pod replaced (abc → def) in 12.5 s: 0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully' });
    expect(restartVerdict(clean(), withProbe).static.every((w) => !w.warns)).toBe(true);
    expect(restartVerdict(lossy(), { name: 'app' })).toMatchObject({ verdict: 'fail' });
    expect(restartVerdict(lossy(), { name: 'app' }).static.map((w) => w.warns)).toEqual([true, true]);
  });

  it('sets kubectl\'s restartedAt on the pod template, whether or not it has annotations', () => {
    expect(restartPatch(undefined, 'T')).toEqual([{ op: 'add', path: '/spec/template/metadata/annotations', value: { [RESTARTED_AT]: 'T' } }]);
    expect(restartPatch({ a: 'b' }, 'T')).toEqual([{ op: 'add', path: '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt', value: 'T' }]);
  });
});

const evidence = (grantedAtOnce: number, replicas = 2, refusedByBudget = 0): EvictAllEvidence => ({ replicas, grantedAtOnce, refusedByBudget, asked: [] });

describe('the eviction check', () => {
  it('passes a budget that held pods back with nothing lost; fails every replica let go at once even with nothing lost, and any loss', () => {
    expect(evictionVerdict('Deployment', true, evidence(1, 2, 2), clean())).toMatchObject({ verdict: 'pass',
      summary: 'the Eviction API let 1 of 2 replicas go at once (and refused 2 ask(s) by the budget until replacements were Ready); 0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully' });
    const nopdb = evictionVerdict('Deployment', false, evidence(2), clean());
    expect(nopdb.verdict).toBe('fail');
    expect(nopdb.summary).toMatch(/^the Eviction API let 2 of 2 replicas go at once: no PodDisruptionBudget holds them back/);
    expect(nopdb.static.map((w) => `${w.tool} ${w.id} ${w.warns}`)).toEqual(['kube-score deployment-has-poddisruptionbudget true', 'Polaris missingPodDisruptionBudget true']);
    // One replica: nothing to hold back, but its loss is counted.
    expect(evictionVerdict('Deployment', false, evidence(1, 1), lossy()).verdict).toBe('fail');
    expect(evictionVerdict('Deployment', false, evidence(1, 1), clean()).verdict).toBe('pass');
  });

  it('fails a budget that lets nothing go: a drain would never end', () => {
    expect(evictionBlockedVerdict('StatefulSet', true, 'the eviction of web-0 was still refused 120 s after the last grant (24 asks; 0 of 2 granted)', 0).summary)
      .toMatch(/^the eviction of web-0 was still refused 120 s after the last grant \(24 asks; 0 of 2 granted\): its PodDisruptionBudget allows no disruption/);
    expect(evictionBlockedVerdict('StatefulSet', true, 'refused', 1).summary).toMatch(/^refused: after 1 eviction\(s\) its PodDisruptionBudget let no more go/);
  });
});

describe('audit --rate', () => {
  it('takes a whole number of requests per second per mode, and refuses anything else in one sentence', () => {
    expect(parseArgs(['audit', '-f', 'a.yaml', '--rate', '80'])).toMatchObject({ command: 'audit', rate: 80 });
    expect(() => parseArgs(['audit', '-f', 'a.yaml', '--rate', 'fast'])).toThrow('--rate takes a whole number from 1 to 1000, got "fast"');
  });
});

describe('peaks under load in the resources check', () => {
  const app = { name: 'app', resources: { requests: { cpu: '20m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } } };
  const peaks = (cpuMillicores: number, memoryMiB: number) => ({ measured: true as const, samples: 6, seconds: 31,
    byContainer: { app: { cpuMillicores, memoryBytes: memoryMiB * 2 ** 20 } } });

  it('says the peaks, advises only where one is near a limit or above the memory request, and says why none were measured', () => {
    expect(peakFindings([app], peaks(30, 8))).toEqual({ findings: [], line: 'app peaked at 30m CPU, 8.0 MiB (6 sample(s) of the metrics API over 31 s under load)' });
    expect(peakFindings([app], peaks(190, 8)).findings).toEqual(['app\'s CPU peaked at 190m of its 200m limit: it is throttled there; raise the limit or drop it']);
    expect(peakFindings([app], peaks(30, 60)).findings[0]).toMatch(/^app's memory peaked at 60.0 MiB of its 64Mi limit: a little more and it is OOM-killed/);
    expect(peakFindings([app], peaks(30, 20)).findings[0]).toMatch(/^app's memory peaked at 20.0 MiB, above its 16Mi request/);
    expect(peakFindings([app], { measured: false, why: 'the cluster serves no metrics API' })).toEqual({ findings: [], line: 'peaks not measured: the cluster serves no metrics API' });
  });

  it('turns a finding into advice beside the QoS class, and a clean peak into a pass that says it', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [] }, status: { qosClass: 'Burstable' } };
    expect(resourcesVerdict([app], [pod], peaks(30, 8))).toMatchObject({ verdict: 'pass',
      summary: 'QoS Burstable, no OOM kill, no restart; app peaked at 30m CPU, 8.0 MiB (6 sample(s) of the metrics API over 31 s under load)' });
    expect(resourcesVerdict([app], [pod], peaks(30, 60)).verdict).toBe('advice');
  });
});

describe('the drain check under load (the audit\'s: one node drained)', () => {
  /** The pods' watched events over a window of 0-10 s on the ledger's axis. */
  const withPods = (u: UnderLoad, events: { at: number; pod: string; kind: string }[]): UnderLoad =>
    ({ ...u, run: { ...u.run, podEvents: events, phases: { windowStartAt: 0, windowEndAt: 10_000 } } as unknown as UnderLoad['run'] });
  const served = [{ at: 0, pod: 'a', kind: 'ready' }, { at: 0, pod: 'b', kind: 'ready' }, { at: 2000, pod: 'c', kind: 'ready' }, { at: 3000, pod: 'a', kind: 'terminating' }];

  it('passes a drain with a Ready pod throughout and nothing lost; fails any loss, and any stretch without a Ready pod even with nothing lost', () => {
    expect(drainVerdict('Deployment', 'web', true, 'node-2', withPods(clean(), served))).toMatchObject({ check: 'drain', verdict: 'pass',
      summary: 'node node-2 drained, 1 pod(s) evicted; a Ready pod throughout; 0 of 100 requests lost; 1 of 1 ended pod(s) stopped gracefully' });
    expect(drainVerdict('Deployment', 'web', true, 'node-2', withPods(lossy(), served)).verdict).toBe('fail');
    const gap = [{ at: 0, pod: 'a', kind: 'ready' }, { at: 3000, pod: 'a', kind: 'terminating' }, { at: 7500, pod: 'c', kind: 'ready' }];
    expect(drainVerdict('Deployment', 'web', false, 'node-2', withPods(clean(), gap))).toMatchObject({ verdict: 'fail',
      summary: 'node node-2 drained, 1 pod(s) evicted: no Ready pod of web from 3.0 to 7.5 s',
      static: [{ tool: 'kube-score', id: 'deployment-has-poddisruptionbudget', warns: true }, { tool: 'Polaris', warns: true }] });
  });
});
