import type { V1Pod } from '@kubernetes/client-node';
import type { PodEvent, PodEventKind } from '../../../lib/kit/pod-timeline.ts';
import {
  createdBeforePredecessorReady, ordinalOf, orderOf, overlappingRemovals, stepsStartedEarly, successorWhileHeld, updateSteps,
} from '../../../lib/kit/statefulset-order.ts';

/** A timeline from "pod kind [version]" lines, in arrival order. */
const timeline = (...lines: string[]): PodEvent[] => lines.map((line, i) => {
  const [pod, kind, version] = line.split(' ') as [string, PodEventKind, string | undefined];
  return { at: i, pod, kind, ...(version ? { version } : {}) };
});

const pod = (name: string, ready = false): V1Pod => ({
  metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('StatefulSet order from a pod timeline', () => {
  it('must read the ordinal after the last dash, and refuse a name without one', () => {
    expect(ordinalOf('web-a-12')).toBe(12);
    expect(() => ordinalOf('web')).toThrow(/not a StatefulSet pod name/);
  });

  it('must find no early creation when each pod came after its predecessor turned Ready (OrderedReady)', () => {
    const events = timeline('s-0 created', 's-0 ready', 's-1 created', 's-1 ready', 's-2 created');
    expect(orderOf(events, 'created')).toEqual(['s-0', 's-1', 's-2']);
    expect(createdBeforePredecessorReady(events)).toEqual([]);
  });

  it('must name the pods created while their predecessor was absent or not Ready (Parallel)', () => {
    const events = timeline('s-0 created', 's-2 created', 's-1 created', 's-0 ready');
    expect(createdBeforePredecessorReady(events)).toEqual([
      { pod: 's-2', predecessor: 's-1', predecessorWas: 'absent' },
      { pod: 's-1', predecessor: 's-0', predecessorWas: 'not-ready' },
    ]);
  });

  it('must count a predecessor that went not-ready again as not Ready', () => {
    const events = timeline('s-0 created', 's-0 ready', 's-0 not-ready', 's-1 created');
    expect(createdBeforePredecessorReady(events)).toHaveLength(1);
  });

  it('must find no overlap when each removal ended before the next began, and name pairs that overlapped', () => {
    const oneByOne = timeline('s-2 terminating', 's-2 deleted', 's-1 terminating', 's-1 deleted');
    expect(overlappingRemovals(oneByOne)).toEqual([]);
    const together = timeline('s-2 terminating', 's-1 terminating', 's-2 deleted', 's-0 terminating', 's-1 deleted', 's-0 deleted');
    expect(overlappingRemovals(together)).toEqual([['s-2', 's-1'], ['s-1', 's-0']]);
  });

  it('must treat a removal whose deletion was never seen as still under way', () => {
    expect(overlappingRemovals(timeline('s-1 terminating', 's-0 terminating', 's-0 deleted'))).toEqual([['s-1', 's-0']]);
  });

  it('must order update steps by the old pods\' termination and see each replacement Ready before the next step', () => {
    const events = timeline('s-2 terminating r1', 's-2 deleted r1', 's-2 created r2', 's-2 ready r2',
      's-1 terminating r1', 's-1 deleted r1', 's-1 created r2', 's-1 ready r2', 's-0 terminating r1');
    const steps = updateSteps(events, 'r1');
    expect(steps.map((s) => s.pod)).toEqual(['s-2', 's-1', 's-0']);
    expect(steps[2]!.replacementReady).toBeUndefined();
    expect(stepsStartedEarly(steps)).toEqual([]);
  });

  it('must name a step that began before the previous replacement was Ready', () => {
    const events = timeline('s-2 terminating r1', 's-2 deleted r1', 's-2 created r2', 's-1 terminating r1', 's-2 ready r2');
    expect(stepsStartedEarly(updateSteps(events, 'r1'))).toEqual(['s-1']);
  });

  it('must flag a successor of the held pod, or the held pod turning Ready, and nothing else', () => {
    const violation = successorWhileHeld('s', 0);
    expect(violation(pod('s-0'))).toBeUndefined();
    expect(violation(pod('other-5'))).toBeUndefined();
    expect(violation(pod('s-1'))).toBe('s-1 exists while s-0 is held not-ready');
    expect(violation(pod('s-0', true))).toMatch(/s-0 turned Ready/);
  });
});
