import type { V1Pod } from '@kubernetes/client-node';
import { placementHeld, readyGaps } from '../../../lib/checks/index.ts';
import { TOPOLOGY_SPREAD } from '../../../lib/kit/unschedulable.ts';
import type { PodEvent } from '../../../lib/kit/pod-observer.ts';

const ev = (at: number, pod: string, kind: PodEvent['kind']): PodEvent => ({ at, pod, kind });

describe('stretches without a Ready pod', () => {
  it('must find none while one pod stays Ready across another\'s end', () => {
    expect(readyGaps([ev(0, 'a', 'ready'), ev(1, 'b', 'ready'), ev(5, 'a', 'terminating'), ev(9, 'a', 'deleted')], 2, 20)).toEqual([]);
  });

  it('must find the stretch from the last Ready pod\'s end to its replacement\'s Ready, clipped to the window', () => {
    const events = [ev(0, 'a', 'created'), ev(1, 'a', 'ready'), ev(5, 'a', 'terminating'), ev(5.5, 'b', 'created'), ev(7.5, 'b', 'ready')];
    expect(readyGaps(events, 2, 20)).toEqual([{ from: 5, to: 7.5 }]);
    expect(readyGaps(events, 6, 20)).toEqual([{ from: 6, to: 7.5 }]);
    expect(readyGaps(events, 8, 20)).toEqual([]);
  });

  it('must not count the start, before any pod was Ready, and must keep a stretch that never ended open to the window\'s end', () => {
    expect(readyGaps([ev(0, 'a', 'created'), ev(3, 'a', 'ready')], 0, 10)).toEqual([]);
    expect(readyGaps([ev(1, 'a', 'ready'), ev(4, 'a', 'not-ready')], 0, 10)).toEqual([{ from: 4, to: 10 }]);
  });
});

describe('placement under a spread constraint', () => {
  const bound = (name: string, node: string): V1Pod => ({ metadata: { name }, spec: { nodeName: node, containers: [] }, status: { phase: 'Running' } });
  const pending = (name: string, message: string): V1Pod => ({ metadata: { name }, spec: { containers: [] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] } });
  const spreadMessage = '0/3 nodes are available: 1 node(s) didn\'t match pod topology spread constraints, 1 node(s) were unschedulable.';

  it('must hold with exactly the expected Pending pods, each Unschedulable for the cause, and no crowded node', () => {
    const check = placementHeld({ pending: 2, cause: TOPOLOGY_SPREAD, maxPerNode: 1 });
    const verdict = check([bound('a', 'w1'), pending('b', spreadMessage), pending('c', spreadMessage)]);
    expect(verdict).toEqual({ holds: true, value: { byNode: { w1: ['a'] }, pending: ['b', 'c'] } });
  });

  it('must fail, saying why, when every pod was placed, when a Pending pod waits for another reason, or when a node holds too many', () => {
    const check = placementHeld({ pending: 2, cause: TOPOLOGY_SPREAD, maxPerNode: 1 });
    expect(check([bound('a', 'w1'), bound('b', 'w1'), bound('c', 'w1')])).toEqual({ holds: false, reason: '0 pods Pending, not 2 (w1: 3)' });
    const cpu = check([bound('a', 'w1'), pending('b', spreadMessage), pending('c', '0/3 nodes are available: 3 Insufficient cpu.')]);
    expect(cpu.holds).toBe(false);
    expect(JSON.stringify(cpu)).toContain('not for the topology spread constraint');
    expect(placementHeld({ pending: 0, cause: TOPOLOGY_SPREAD, maxPerNode: 1 })([bound('a', 'w1'), bound('b', 'w1')]))
      .toEqual({ holds: false, reason: 'more than 1 per node on w1 (w1: 2)' });
  });
});
