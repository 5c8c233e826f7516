import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { scorecardLines, scorecardMarkdown, selectorString, staticLine, type AuditReport } from '../../lib/audit/index.ts';
import {
  deletionVerdict, probeAllowsSeconds, redundancyVerdict, resourcesVerdict, startBudget, startupVerdict, worst, type PodStart,
} from '../../lib/checks/index.ts';
import type { Exit } from '../../lib/kit/index.ts';
import { parseArgs } from '../../lib/run/cli/args.ts';

const container = (extra: Partial<V1Container> = {}): V1Container => ({ name: 'app', image: 'i', ...extra });
const probe = { httpGet: { path: '/readyz', port: 8080 } };
const start = (pod: string, readyAfterSeconds: number, restarts = 0): PodStart =>
  ({ pod, ready: restarts === 0, readyAfterSeconds, restarts, probeKills: restarts ? ['Container app failed liveness probe, will be restarted'] : [] });

describe('the start-up check', () => {
  it('reads the probes\' budget as the kubelet applies it: the startupProbe\'s when there is one, else the liveness probe\'s', () => {
    expect(probeAllowsSeconds({})).toBe(30);
    expect(probeAllowsSeconds({ initialDelaySeconds: 5, periodSeconds: 2, failureThreshold: 3 })).toBe(11);
    expect(startBudget(container({ livenessProbe: { periodSeconds: 2 }, startupProbe: { periodSeconds: 1, failureThreshold: 45 } }))).toEqual({ seconds: 45, by: 'startupProbe' });
    expect(startBudget(container({ livenessProbe: { periodSeconds: 2 } }))).toEqual({ seconds: 6, by: 'livenessProbe' });
    expect(startBudget(container())).toEqual({ by: 'none' });
  });

  it('passes quick starts well inside the budget, advises a start over half of it, fails a restart or a pod never Ready', () => {
    const c = container({ readinessProbe: probe, livenessProbe: { periodSeconds: 10 } });
    expect(startupVerdict([start('a', 2), start('b', 3)], c)).toMatchObject({ verdict: 'pass', summary: '2 pod(s) Ready 2-3 s after start, no restart; the livenessProbe allows 30 s' });
    expect(startupVerdict([start('a', 16)], c).verdict).toBe('advice');
    const failed = startupVerdict([start('a', 0, 2)], c);
    expect(failed.verdict).toBe('fail');
    expect(failed.summary).toMatch(/^a restarted 2x during start-up \(the kubelet: "Container app failed liveness probe, will be restarted"\): it needs longer than the 30 s its livenessProbe allows/);
    expect(startupVerdict([{ pod: 'a', ready: false, restarts: 0, probeKills: [] }], c)).toMatchObject({ verdict: 'fail', summary: 'a never turned Ready' });
    expect(startupVerdict([], c)).toMatchObject({ verdict: 'fail', summary: 'no pod of the workload appeared' });
  });

  it('advises a readiness probe where there is none, and says what kube-score and Polaris warn', () => {
    const v = startupVerdict([start('a', 1)], container({ livenessProbe: probe }));
    expect(v.verdict).toBe('advice');
    expect(v.static.filter((w) => w.warns).map((w) => `${w.tool} ${w.id}`)).toEqual(['kube-score pod-probes', 'Polaris readinessProbeMissing']);
  });
});

const exit = (exitCode: number, reason?: string): Exit => ({
  terminated: { exitCode, ...(reason ? { reason } : {}), finishedAt: new Date(10_000) as never },
  deleteSentAtMs: 0, observedAtMs: 0, kubeletActed: { atMs: 6_000, message: 'Stopping container app' },
});

describe('the deletion check', () => {
  it('passes an exit 0, fails the kubelet\'s kill at the grace period\'s end and any error, advises a bare SIGTERM death', () => {
    expect(deletionVerdict(exit(0), 30)).toMatchObject({ verdict: 'pass', summary: 'exited 0 on SIGTERM, at most 5 s after the kubelet acted (grace period 30 s)' });
    expect(deletionVerdict(exit(137, 'Error'), 4).verdict).toBe('fail');
    expect(deletionVerdict(exit(137, 'Error'), 4).summary).toMatch(/^killed when its 4 s grace period ran out \(exit 137, at most 5 s after the kubelet acted\)/);
    expect(deletionVerdict(exit(143), 30).verdict).toBe('advice');
    expect(deletionVerdict(exit(1), 30).summary).toBe('exited 1 on SIGTERM, at most 5 s after the kubelet acted: an error on shutdown');
  });
});

const pod = (name: string, node: string | undefined, qosClass = 'Burstable'): V1Pod =>
  ({ metadata: { name }, spec: { containers: [], ...(node ? { nodeName: node } : {}) }, status: { qosClass } });

describe('the redundancy check', () => {
  it('fails one replica, advises every replica on one of several nodes, passes a spread', () => {
    expect(redundancyVerdict('Deployment', 1, {} as never, [pod('a', 'n1')], 2)).toMatchObject({ verdict: 'fail' });
    // Never a pass on nothing: no pod seen is "could not complete", not "2 replicas on 0 node(s)".
    expect(redundancyVerdict('Deployment', 2, {} as never, [], 2)).toMatchObject({ verdict: 'fail', summary: 'the check could not complete: no running pod of the workload was seen (see start-up)' });
    expect(resourcesVerdict([container()], [])).toMatchObject({ verdict: 'fail', summary: expect.stringMatching(/^the check could not complete: no pod of the workload was seen/) });
    expect(redundancyVerdict('Deployment', 2, {} as never, [pod('a', 'n1'), pod('b', 'n1')], 2).verdict).toBe('advice');
    expect(redundancyVerdict('Deployment', 2, {} as never, [pod('a', 'n1'), pod('b', 'n1')], 1)).toMatchObject({ verdict: 'pass',
      summary: '2 replicas on 1 node(s) (n1: 2), the only schedulable node' });
    expect(redundancyVerdict('Deployment', 2, {} as never, [pod('a', 'n1'), pod('b', 'n2')], 2).summary).toBe('2 replicas on 2 node(s) (n1: 1, n2: 1)');
    const spread = { containers: [], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(redundancyVerdict('StatefulSet', 2, spread, [], 2).static.filter((w) => w.warns)).toEqual([]);
    expect(redundancyVerdict('Deployment', 1, { containers: [] }, [], 2).static.filter((w) => w.warns).map((w) => w.id))
      .toEqual(['deploymentMissingReplicas', 'topologySpreadConstraint']);
  });
});

describe('the resources check', () => {
  const limited = container({ resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } } });
  it('fails an OOM kill, advises BestEffort and a missing memory limit, passes otherwise', () => {
    const oom: V1Pod = { ...pod('a', 'n1'), status: { qosClass: 'Burstable', containerStatuses: [{ name: 'app', image: 'i', imageID: '', ready: true, restartCount: 1,
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } } as never] } };
    expect(resourcesVerdict([limited], [oom]).verdict).toBe('fail');
    expect(resourcesVerdict([container()], [pod('a', 'n1', 'BestEffort')]).verdict).toBe('advice');
    expect(resourcesVerdict([container({ resources: { requests: { memory: '1Mi' } } })], [pod('a', 'n1')]).summary).toMatch(/no memory limit on app/);
    expect(resourcesVerdict([limited], [pod('a', 'n1')])).toMatchObject({ verdict: 'pass', summary: 'QoS Burstable, no OOM kill, no restart' });
  });
});

describe('the scorecard', () => {
  const report: AuditReport = {
    workload: { kind: 'Deployment', name: 'web', replicas: 2 }, namespace: 'wc-audit-web-1', podSecurity: 'restricted',
    service: { name: 'web', created: false, port: 80, path: '/' }, notes: ['load path / (no --path, no HTTP readiness probe)'], durationSeconds: 41.2,
    checks: [
      { check: 'startup', question: 'Q1?', verdict: 'pass', summary: 'fine', evidence: {}, static: [{ tool: 'kube-score', id: 'pod-probes', warns: true, about: 'a readiness probe' }] },
      { check: 'deletion', question: 'Q2?', verdict: 'fail', summary: 'killed | late', static: [],
        evidence: { files: { svg: '/r/audit-web/rollout-deletion.svg', json: '/r/audit-web/rollout-deletion.json', md: '/r/audit-web/rollout-deletion.md' } } },
    ],
  };
  it('leads with the overall verdict and one row per check, then each check with its static warnings, then the notes', () => {
    const md = scorecardMarkdown(report);
    expect(md.split('\n').slice(0, 8)).toEqual([
      '# Audit of Deployment/web: FAIL', '',
      '2 replica(s) in namespace `wc-audit-web-1`, load path `/` on Service/web:80; Pod Security `restricted`; 41.2 s.', '',
      '| check | verdict | what was seen |', '|---|---|---|', '| startup | PASS | fine |', '| deletion | FAIL | killed \\| late |']);
    expect(md).toContain('- kube-score `pod-probes` warns (a readiness probe missing); live: it held anyway');
    expect(md).toContain('## Notes\n\n- load path / (no --path, no HTTP readiness probe)');
    // A check under load links its timeline, its ledger and its figures, beside the scorecard.
    expect(md).toContain('Timeline: [rollout-deletion.svg](rollout-deletion.svg) · every request: `rollout-deletion.json` · figures: [rollout-deletion.md](rollout-deletion.md)');
    expect(scorecardLines(report)).toEqual(['PASS   startup   fine', 'FAIL   deletion  killed | late']);
    expect(staticLine({ tool: 'Polaris', id: 'x', warns: false, about: 'a y' }, 'fail')).toBe('Polaris `x`: no warning (a y present)');
    expect(worst(['pass', 'advice'])).toBe('advice');
  });

  it('writes a label selector as the API\'s query', () => {
    expect(selectorString({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['x', 'y'] }, { key: 'd', operator: 'DoesNotExist' }] }))
      .toBe('a=b,c in (x,y),!d');
  });
});

describe('audit on the command line', () => {
  it('takes repeated -f, every option in both forms, and refuses what it cannot use in one sentence', () => {
    expect(parseArgs(['audit', '-f', 'a.yaml', '--file=b.yaml', '--workload', 'web', '--path=/healthz', '--pod-security', 'baseline', '--keep-cluster']))
      .toEqual({ command: 'audit', files: ['a.yaml', 'b.yaml'], workload: 'web', path: '/healthz', podSecurity: 'baseline', keepCluster: true, drainNode: false });
    expect(parseArgs(['audit', '-f', 'a', '--kubeconfig', 'k', '--drain-node'])).toMatchObject({ drainNode: true, kubeconfig: 'k' });
    expect(parseArgs(['audit', '-f', 'a', '--load-image', 'shop:1', '--load-image=shop-worker:1']))
      .toMatchObject({ files: ['a'], loadImages: ['shop:1', 'shop-worker:1'] });
    expect(() => parseArgs(['audit', '-f', 'a', '--load-image', 'x', '--kubeconfig', 'k'])).toThrow(/--load-image loads into the kind cluster the audit makes/);
    expect(() => parseArgs(['audit'])).toThrow('audit needs the workload\'s YAML: -f FILE');
    expect(() => parseArgs(['audit', '-f', 'a', '--pod-security', 'privileged'])).toThrow('--pod-security takes restricted (the default) or baseline, got "privileged"');
    expect(() => parseArgs(['audit', '-f', 'a', '--context', 'c'])).toThrow('--context needs --kubeconfig');
    expect(() => parseArgs(['audit', '-f', 'a', '--only', 'x'])).toThrow(/"audit" does not take --only/);
  });
});
