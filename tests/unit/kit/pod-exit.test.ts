import type { V1Pod } from '@kubernetes/client-node';
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
  it('must measure from the delete to the runtime\'s finishedAt', () => {
    const exit = { terminated: { exitCode: 137, finishedAt: new Date(10_000) }, deleteSentAtMs: 4_800, observedAtMs: 11_000 };
    expect(deleteToExitSeconds(exit)).toBe(5.2);
    expect(deleteToExitSeconds({ ...exit, terminated: { exitCode: 137 } })).toBeUndefined();
  });
});
