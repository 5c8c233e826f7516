import type { V1Namespace } from '@kubernetes/client-node';
import { OWNER_HOST_ANNOTATION, OWNER_PID_ANNOTATION, runLabels } from '../../../lib/kit/labels.ts';
import type { SweepPolicy } from '../../../lib/run/sweeper.ts';
import { sweepDecision } from '../../../lib/run/sweeper.ts';

const now = new Date('2026-11-21T12:00:00Z');
const policy: SweepPolicy = { runId: 'current', host: 'here', isAlive: (pid) => pid === 42, now, maxAgeMs: 3 * 3600_000 };

function ns(run: string | undefined, owner: { host?: string; pid?: number } = {}, ageMinutes = 10, extra: object = {}): V1Namespace {
  return { metadata: {
    name: `wc-x-${run}`, creationTimestamp: new Date(now.getTime() - ageMinutes * 60_000),
    labels: run ? runLabels(run) : { 'app.kubernetes.io/managed-by': 'workload-conformance' },
    annotations: {
      ...(owner.host ? { [OWNER_HOST_ANNOTATION]: owner.host } : {}),
      ...(owner.pid !== undefined ? { [OWNER_PID_ANNOTATION]: String(owner.pid) } : {}),
    },
    ...extra,
  } };
}

describe('the sweeper\'s choice of leftovers', () => {
  it('must sweep an earlier run whose owner process on this host is gone', () => {
    expect(sweepDecision(ns('old', { host: 'here', pid: 7 }), policy)).toMatchObject({ sweep: true, reason: "run old's owner process 7 on this host is gone" });
  });

  it('must keep a concurrent run whose owner process on this host is alive', () => {
    expect(sweepDecision(ns('other', { host: 'here', pid: 42 }), policy)).toMatchObject({ sweep: false, reason: expect.stringContaining('concurrent run') });
  });

  it('must keep a run owned by another host, whose processes it cannot check, until it is older than the limit', () => {
    expect(sweepDecision(ns('ci', { host: 'elsewhere', pid: 7 }), policy)).toMatchObject({ sweep: false });
    expect(sweepDecision(ns('ci', { host: 'elsewhere', pid: 7 }, 200), policy)).toMatchObject({ sweep: true, reason: expect.stringContaining('200 min old') });
  });

  it('must sweep even a live owner\'s namespace once it is older than the limit (a reused pid or a hung run)', () => {
    expect(sweepDecision(ns('hung', { host: 'here', pid: 42 }, 181), policy)).toMatchObject({ sweep: true });
  });

  it('must never sweep this run\'s namespaces', () => {
    expect(sweepDecision(ns('current', { host: 'here', pid: 7 }, 500), policy)).toMatchObject({ sweep: false, reason: 'belongs to this run' });
  });

  it('must never sweep a namespace without the harness\'s managed-by label, or without a run id', () => {
    const foreign: V1Namespace = { metadata: { name: 'prod', labels: { 'app.kubernetes.io/managed-by': 'helm' }, creationTimestamp: new Date(0) } };
    expect(sweepDecision(foreign, policy)).toMatchObject({ sweep: false, reason: 'not created by workload-conformance' });
    expect(sweepDecision(ns(undefined, {}, 500), policy)).toMatchObject({ sweep: false, reason: 'no run label' });
  });

  it('must keep an un-annotated namespace until it is older than the limit', () => {
    expect(sweepDecision(ns('legacy'), policy)).toMatchObject({ sweep: false });
    expect(sweepDecision(ns('legacy', {}, 181), policy)).toMatchObject({ sweep: true });
  });

  it('must leave a namespace that is already being deleted alone', () => {
    expect(sweepDecision(ns('old', { host: 'here', pid: 7 }, 10, { deletionTimestamp: now }), policy)).toMatchObject({ sweep: false });
  });
});
