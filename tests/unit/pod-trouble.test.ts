import type { V1Pod } from '@kubernetes/client-node';
import { podTrouble } from '../../lib/kit/pod-trouble.ts';

const pod = (status: V1Pod['status'], deleting = false): V1Pod => ({
  metadata: { name: 'web-1', ...(deleting ? { deletionTimestamp: new Date() } : {}) }, status,
});

describe('podTrouble: a rolled pod that cannot run fails the check at once, with its reason', () => {
  it('names an image that cannot be pulled', () => {
    expect(podTrouble(pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0,
      state: { waiting: { reason: 'ErrImageNeverPull', message: 'image not present' } } }] })))
      .toBe('pod web-1 container app is ErrImageNeverPull: image not present');
  });
  it('names a crash loop with the last exit', () => {
    expect(podTrouble(pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } } }] })))
      .toBe('pod web-1 container app is CrashLoopBackOff; last exit 2 (Error)');
  });
  it('names an unschedulable pod', () => {
    expect(podTrouble(pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes: Insufficient cpu' }] })))
      .toBe('pod web-1 is Unschedulable: 0/1 nodes: Insufficient cpu');
  });
  it('leaves healthy, starting, once-failed and terminating pods alone', () => {
    expect(podTrouble(pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 1, state: { waiting: { reason: 'RunContainerError', message: 'unable to freeze' } } }] }))).toBeUndefined();
    expect(podTrouble(pod({ phase: 'Running' }))).toBeUndefined();
    // The runtime failing to start it (StartError, exit 128) is retried by the kubelet before it counts...
    const startError = (restartCount: number) => pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false,
      restartCount, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 128, reason: 'StartError' } } }] });
    expect(podTrouble(startError(1))).toBeUndefined();
    // ...but not for ever.
    expect(podTrouble(startError(3))).toMatch(/CrashLoopBackOff; last exit 128 \(StartError\)/);
    expect(podTrouble(pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }))).toBeUndefined();
    expect(podTrouble(pod({ containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, true))).toBeUndefined();
  });
});
