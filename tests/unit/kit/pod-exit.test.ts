import type { V1Pod } from '@kubernetes/client-node';
import { offsetOf, onNodeClock, parseClock } from '../../../lib/kit/clock.ts';
import { deleteToExitSeconds, terminatedWhileDeleting } from '../../../lib/kit/pod-exit.ts';

const pod = (deleting: boolean, terminated?: { exitCode: number; message?: string }): V1Pod => ({
  metadata: { name: 'w', ...(deleting ? { deletionTimestamp: new Date() } : {}) },
  status: { containerStatuses: [{ name: 'worker', image: 'b', imageID: '', ready: false, restartCount: 0,
    state: terminated ? { terminated } : { running: {} } }] },
});

describe('terminatedWhileDeleting', () => {
  it('must be done with the terminated state once the pod is being deleted', () => {
    const outcome = terminatedWhileDeleting('worker')([pod(true, { exitCode: 0, message: '1.0 exit' })]);
    expect(outcome).toMatchObject({ done: true, value: { terminated: { exitCode: 0, message: '1.0 exit' } } });
  });

  it('must wait while the container runs and be fatal when the pod goes before its end was reported', () => {
    const predicate = terminatedWhileDeleting('worker');
    expect(predicate([])).toMatchObject({ done: false });
    expect(predicate([pod(false)])).toMatchObject({ done: false, note: 'not deleted yet' });
    expect(predicate([pod(true)])).toMatchObject({ done: false, note: 'worker still running, pod terminating' });
    expect(predicate([])).toEqual({ fatal: 'the pod was removed before worker\'s termination was reported' });
  });
});

describe('deleteToExitSeconds', () => {
  it('must measure from the delete to the runtime\'s finishedAt, both on the node\'s clock, whatever the client\'s clock says', () => {
    // The node's clock runs 90 s ahead of the client's: the delete sent at client 4.8 s is node 94.8 s.
    const clock = offsetOf(94_800, 4_700, 4_800);
    expect(clock).toEqual({ offsetMs: 90_000, uncertaintyMs: 100 });
    const exit = { terminated: { exitCode: 137, finishedAt: new Date(100_000) }, deleteSentAtNodeMs: onNodeClock(4_800, clock) };
    expect(deleteToExitSeconds(exit)).toBe(5.2);
    expect(deleteToExitSeconds({ ...exit, terminated: { exitCode: 137 } })).toBeUndefined();
  });
});

describe('the node\'s clock', () => {
  it('must read busybox ts output, and nothing else, as the container\'s clock', () => {
    expect(parseClock('1796436304.123456 clock\n')).toBeCloseTo(1_796_436_304_123.456, 3);
    expect(parseClock('1796436304 clock')).toBe(1_796_436_304_000);
    expect(parseClock('sh: ts: not found')).toBeUndefined();
  });

  it('must put a client moment on the node\'s clock with the offset of a read bracketed by the client\'s, behind or ahead', () => {
    expect(offsetOf(1_000, 91_000, 91_040)).toEqual({ offsetMs: -90_040, uncertaintyMs: 40 });
    expect(onNodeClock(91_500, offsetOf(1_000, 91_000, 91_040))).toBe(1_460);
  });
});
