import type { V1Lease, V1Namespace } from '@kubernetes/client-node';
import { runLabels } from '../../../lib/kit/labels.ts';
import type { SweepPolicy } from '../../../lib/run/lease-sweep.ts';
import { sweepDecision, terminatingReport } from '../../../lib/run/lease-sweep.ts';
import { leaseState } from '../../../lib/run/run-lease.ts';

const now = new Date('2026-11-21T12:00:00Z');
const ago = (seconds: number): Date => new Date(now.getTime() - seconds * 1000);

function lease(run: string, renewedSecondsAgo: number, durationSeconds = 90): V1Lease {
  return { metadata: { name: 'run', labels: runLabels(run) },
    spec: { holderIdentity: `box/1 run ${run}`, leaseDurationSeconds: durationSeconds, renewTime: ago(renewedSecondsAgo) as never } };
}

function policy(leases: V1Lease[]): SweepPolicy {
  return { runId: 'current', now, leases: new Map(leases.map((l) => [l.metadata!.labels!['workload-conformance.io/run']!, leaseState(l, now)])) };
}

function ns(run: string | undefined, ageMinutes = 10, extra: Partial<V1Namespace['metadata']> = {}): V1Namespace {
  return { metadata: {
    name: `wc-x-${run}`, creationTimestamp: ago(ageMinutes * 60),
    labels: run ? runLabels(run) : { 'app.kubernetes.io/managed-by': 'workload-conformance' }, ...extra,
  } };
}

describe('run leases', () => {
  it('must count a lease as held within its duration plus 30 s of clock skew, and expired after', () => {
    expect(leaseState(lease('a', 100), now)).toMatchObject({ held: true, runId: 'a', sinceRenewSeconds: 100 });
    expect(leaseState(lease('a', 121), now)).toMatchObject({ held: false, expiresAt: ago(31) });
  });

  it('must read from a lease whether its run disrupts the nodes now, and since when', () => {
    const marked = lease('a', 10);
    marked.metadata = { ...marked.metadata, annotations: { 'workload-conformance.io/disrupting-nodes': '2026-12-07T23:00:00.000Z' } };
    expect(leaseState(marked, now)).toMatchObject({ held: true, disruptingSince: '2026-12-07T23:00:00.000Z' });
    expect(leaseState(lease('a', 10), now).disruptingSince).toBeUndefined();
  });

  it('must count a lease without renew time or duration as not held', () => {
    expect(leaseState({ metadata: { labels: runLabels('a') }, spec: { leaseDurationSeconds: 90 } }, now).held).toBe(false);
    expect(leaseState(lease('a', 1, 0), now).held).toBe(false);
  });
});

describe('the sweeper\'s choice of leftovers, by lease', () => {
  it('must keep every namespace of a run that holds its lease, however old the namespace (a long or concurrent run)', () => {
    expect(sweepDecision(ns('live', 500), policy([lease('live', 20)]))).toMatchObject({ sweep: false, reason: expect.stringContaining('holds its lease (renewed 20s ago by box/1 run live)') });
  });

  it('must sweep the namespaces of a run whose lease expired, however young the namespace', () => {
    expect(sweepDecision(ns('dead', 1), policy([lease('dead', 600)]))).toMatchObject({ sweep: true, reason: expect.stringMatching(/^run dead's lease expired at 2026-11-21T11:51:30.000Z \(last renewed 600s ago/) });
  });

  it('must judge two runs from hosts of the same name (containers) by their own leases, not by each other\'s processes', () => {
    const p = policy([lease('twin-a', 10), lease('twin-b', 1000)]);
    expect(sweepDecision(ns('twin-a'), p).sweep).toBe(false);
    expect(sweepDecision(ns('twin-b'), p).sweep).toBe(true);
  });

  it('must keep a run without a lease (older harness, or starting) until its namespace is 3 h old', () => {
    expect(sweepDecision(ns('legacy', 179), policy([]))).toMatchObject({ sweep: false, reason: expect.stringContaining('holds no lease') });
    expect(sweepDecision(ns('legacy', 181), policy([]))).toMatchObject({ sweep: true, reason: expect.stringContaining('181 min old') });
  });

  it('must never sweep this run\'s namespaces, nor one without the harness\'s managed-by label or a run label', () => {
    expect(sweepDecision(ns('current', 500), policy([]))).toMatchObject({ sweep: false, reason: 'belongs to this run' });
    const foreign: V1Namespace = { metadata: { name: 'prod', labels: { 'app.kubernetes.io/managed-by': 'helm', 'workload-conformance.io/run': 'dead' }, creationTimestamp: new Date(0) } };
    expect(sweepDecision(foreign, policy([lease('dead', 9999)]))).toMatchObject({ sweep: false, reason: 'not created by workload-conformance' });
    expect(sweepDecision(ns(undefined, 500), policy([]))).toMatchObject({ sweep: false, reason: 'no run label' });
  });

  it('must leave a terminating namespace alone, and report it with what holds it once it has been stuck for 2 min', () => {
    expect(sweepDecision(ns('dead', 10, { deletionTimestamp: ago(60) }), policy([lease('dead', 600)]))).toEqual({ name: 'wc-x-dead', sweep: false, reason: 'already being deleted' });
    const stuck: V1Namespace = { ...ns('dead', 10, { deletionTimestamp: ago(300) }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Terminating', conditions: [
        { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
        { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' },
        { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: workload-conformance.io/hold in 1 resource instances' },
      ] as never } };
    expect(sweepDecision(stuck, policy([lease('dead', 600)]))).toMatchObject({ sweep: false, reason: 'stuck terminating' });
    expect(terminatingReport(stuck, now)).toBe('namespace wc-x-dead has been terminating for 300s; ' +
      'NamespaceContentRemaining: Some resources are remaining: configmaps. has 1 resource instances; ' +
      'NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: workload-conformance.io/hold in 1 resource instances; ' +
      'namespace finalizers: kubernetes');
  });
});
