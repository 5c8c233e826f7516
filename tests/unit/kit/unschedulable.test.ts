import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { failedSchedulingFor, unschedulableFor } from '../../../lib/kit/unschedulable.ts';

const message = '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: ' +
  '1 No preemption victims found for incoming pod.';

function pod(status: V1Pod['status'], nodeName?: string): V1Pod {
  return { metadata: { name: 'p' }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) }, status };
}
const unschedulable = (text: string) => pod({ phase: 'Pending',
  conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: text }] });

describe('unschedulableFor', () => {
  test('holds for a Pending pod on no node whose PodScheduled is False, Unschedulable, for lack of the resource', () => {
    expect(unschedulableFor('cpu')([unschedulable(message)])).toEqual({ holds: true, value: { phase: 'Pending', message } });
  });

  test('does not hold for another resource, another reason, a bound or a running pod, or no pod', () => {
    expect(unschedulableFor('memory')([unschedulable(message)])).toMatchObject({ holds: false, reason: expect.stringMatching(/not for lack of memory/) });
    expect(unschedulableFor('cpu')([unschedulable("0/1 nodes are available: 1 node(s) had untolerated taint")])).toMatchObject({ holds: false });
    expect(unschedulableFor('cpu')([pod({ phase: 'Pending' }, 'node-1')])).toMatchObject({ holds: false, reason: expect.stringMatching(/bound to node node-1/) });
    expect(unschedulableFor('cpu')([pod({ phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] })])).toMatchObject({ holds: false });
    expect(unschedulableFor('cpu')([pod({ phase: 'Pending' })])).toMatchObject({ holds: false, reason: expect.stringMatching(/no PodScheduled/) });
    expect(unschedulableFor('cpu')([])).toMatchObject({ holds: false });
  });
});

describe('failedSchedulingFor', () => {
  const event = (reason: string, text: string, extra: Partial<CoreV1Event> = {}): CoreV1Event =>
    ({ metadata: {}, involvedObject: { kind: 'Pod', name: 'p' }, reason, message: text, ...extra });

  test('finds the scheduler\'s event naming the resource and how often it was reported', () => {
    expect(failedSchedulingFor([event('Scheduled', 'x'), event('FailedScheduling', message, { count: 3 })], 'p', 'cpu'))
      .toEqual({ message, count: 3 });
    expect(failedSchedulingFor([event('FailedScheduling', message, { series: { count: 4, lastObservedTime: new Date() } })], 'p', 'cpu'))
      .toMatchObject({ count: 4 });
  });

  test('ignores events of other pods and events naming another resource', () => {
    expect(failedSchedulingFor([event('FailedScheduling', message)], 'p', 'memory')).toBeUndefined();
    expect(failedSchedulingFor([{ ...event('FailedScheduling', message), involvedObject: { kind: 'Pod', name: 'q' } }], 'p', 'cpu')).toBeUndefined();
  });
});
