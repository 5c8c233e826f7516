import type { PodSighting } from '../../../lib/kit/node-loss.ts';
import { DEFAULT_TIMERS, evictedAndReplaced, nodeMarkedUnreachable, notReplacedWhileUnreachable } from '../../../lib/checks/node-loss.ts';

// Figures from the first run on a 3-node kind cluster here (Kubernetes 1.37.2): the stop issued at 0 s, returned at
// 11.7 s, Ready=Unknown and tainted at 50.6 s, the 10 s pod evicted at 61 s, its replacement Ready at 63 s.
const S = 1000;
const sighting = (name: string, over: Partial<PodSighting> = {}): PodSighting => ({
  name, uid: `${name}-uid`, node: 'lost', firstSeenAtMs: 0, ready: true, terminating: false, present: true, phase: 'Running',
  readyAtMs: 0, unreachableTolerationSeconds: [10], ...over,
});
const node = { node: 'lost', stopIssuedAtMs: 0, stoppedAtMs: 11.7 * S, notReadyAtMs: 50.6 * S, readyStatus: 'Unknown', taintedAtMs: 50.7 * S, observedUntilMs: 120 * S };

describe('nodeMarkedUnreachable', () => {
  it('must pass a node marked Unknown and tainted once the grace period has run out', () => {
    expect(nodeMarkedUnreachable(node)).toEqual({ passed: true, failures: [] });
  });
  it('must fail a node never marked, or never tainted, in the window (the node that was not stopped)', () => {
    const { failures } = nodeMarkedUnreachable({ node: 'lost', stopIssuedAtMs: 0, stoppedAtMs: 11.7 * S, observedUntilMs: 85 * S });
    expect(failures).toEqual(['node lost was never seen not Ready in the 73.3 s observed after its stop',
      'node lost was never tainted node.kubernetes.io/unreachable:NoExecute in the 73.3 s observed']);
  });
  it('must fail a node marked before the grace period could have run out, or long after it', () => {
    expect(nodeMarkedUnreachable({ ...node, notReadyAtMs: 20 * S, taintedAtMs: 20 * S }).failures).toEqual([expect.stringMatching(
      /^node lost turned Ready=Unknown 20\.0 s after its stop, before the 50\.0 s grace period could have run out/)]);
    expect(nodeMarkedUnreachable({ ...node, notReadyAtMs: 80 * S, taintedAtMs: 80 * S }).failures).toEqual([expect.stringMatching(
      /^node lost turned not Ready 68\.3 s after its stop completed, later than the grace period 50\.0 s/)]);
  });
  it('must fail a taint that comes more than a monitor period after the mark', () => {
    expect(nodeMarkedUnreachable({ ...node, taintedAtMs: 70 * S }).failures).toEqual([expect.stringMatching(/tainted unreachable 19\.4 s after/)]);
  });
  it('must use the 1.37 defaults: grace 50 s, monitor period 5 s', () => {
    expect(DEFAULT_TIMERS).toMatchObject({ monitorGracePeriodMs: 50 * S, monitorPeriodMs: 5 * S });
  });
});

describe('evictedAndReplaced', () => {
  const evicted = sighting('evicted-a', { deletionSeenAtMs: 61 * S, ready: false, terminating: true });
  const replacement = sighting('evicted-b', { node: 'other', firstSeenAtMs: 61 * S, readyAtMs: 63 * S });
  const evidence = { node: 'lost', lostAtMs: 0, taintedAtMs: 50.7 * S, observedUntilMs: 120 * S, original: evicted, others: [replacement] };

  it('must pass an eviction after the toleration and a Ready replacement elsewhere, timing both', () => {
    expect(evictedAndReplaced(evidence, 95 * S)).toEqual({ passed: true, failures: [], evictedAfterMs: 61 * S,
      replacement: { name: 'evicted-b', node: 'other', readyAfterMs: 63 * S } });
  });
  it('must fail the pod with the default 300 s toleration: not evicted, not replaced (the negative control)', () => {
    const stays = sighting('stays-a', { unreachableTolerationSeconds: [300] });
    expect(evictedAndReplaced({ ...evidence, original: stays, others: [] }, 95 * S).failures).toEqual([
      'pod stays-a was not evicted: no deletionTimestamp in the 120.0 s observed after the node was lost',
      'no replacement of pod stays-a was Ready on another node than lost in the 120.0 s observed (no other pod was created)']);
  });
  it('must fail an eviction before the toleration ran out, and one or a replacement too late', () => {
    expect(evictedAndReplaced({ ...evidence, original: { ...evicted, deletionSeenAtMs: 52 * S } }, 95 * S).failures)
      .toEqual([expect.stringMatching(/^pod evicted-a was evicted 1\.3 s after the unreachable taint, before its tolerationSeconds 10 ran out$/)]);
    expect(evictedAndReplaced(evidence, 62 * S).failures).toEqual([expect.stringMatching(/^replacement evicted-b on other was Ready 63\.0 s after/)]);
    expect(evictedAndReplaced(evidence, 60 * S).failures).toHaveLength(2);
  });
  it('must not count a replacement on the lost node, or one never Ready, and must name the pod placed elsewhere', () => {
    const others = [{ ...replacement, node: 'lost' }, { ...replacement, name: 'evicted-c', readyAtMs: undefined, ready: false, phase: 'Pending' }];
    expect(evictedAndReplaced({ ...evidence, others }, 95 * S).failures).toEqual([expect.stringMatching(/\(seen: evicted-b on lost Ready, evicted-c on other Pending\)$/)]);
    expect(evictedAndReplaced({ ...evidence, original: { ...evicted, node: 'other' } }, 95 * S).failures)
      .toEqual(['pod evicted-a ran on node other, not on the lost node lost']);
  });
});

describe('notReplacedWhileUnreachable', () => {
  const original = { name: 'identity-0', uid: 'u0', node: 'lost' };
  it('must pass while the evicted pod holds its name on the lost node and nothing else exists', () => {
    expect(notReplacedWhileUnreachable({ original, pods: [{ name: 'identity-0', uid: 'u0', node: 'lost', ready: false, terminating: true }] }).passed).toBe(true);
  });
  it('must fail a pod of the same name with a new uid (the name freed by a force delete) and a pod under another name', () => {
    expect(notReplacedWhileUnreachable({ original, pods: [{ name: 'identity-0', uid: 'u1', node: 'other', phase: 'Running', ready: true, terminating: false }] }).failures)
      .toEqual(['pod identity-0 (uid u0) on the lost node lost is gone from the API: its identity is free to take',
        'pod identity-0 (uid u1, Running, Ready) on other takes the place of identity-0 on the lost node lost']);
    expect(notReplacedWhileUnreachable({ original, pods: [{ name: 'identity-0', uid: 'u0', node: 'lost', ready: false, terminating: true },
      { name: 'evicted-b', uid: 'ub', node: 'other', ready: false, terminating: false }] }).failures)
      .toEqual(['pod evicted-b (uid ub, Pending) on other takes the place of identity-0 on the lost node lost']);
  });
});
