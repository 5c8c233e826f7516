import type { V1Pod } from '@kubernetes/client-node';
import { containerRunning } from '../../../lib/kit/readiness-gate.ts';

const pod = (state: object, phase = 'Running'): V1Pod => ({
  metadata: { name: 'p' },
  status: { phase, containerStatuses: [{ name: 'app', ready: false, restartCount: 1, image: 'i', imageID: '', state }] },
});

describe('containerRunning', () => {
  it('must not take phase Running for a running container: a container that failed to start waits in back-off', () => {
    expect(containerRunning('app')([pod({ waiting: { reason: 'CrashLoopBackOff' } })]))
      .toEqual({ done: false, note: 'app waiting (CrashLoopBackOff)' });
  });

  it('must resolve once the container runs, and give up on an image that cannot be pulled', () => {
    expect(containerRunning('app')([pod({ running: {} })])).toMatchObject({ done: true });
    expect(containerRunning('app')([pod({ waiting: { reason: 'ErrImagePull' } }, 'Pending')])).toHaveProperty('fatal');
    expect(containerRunning('app')([])).toMatchObject({ done: false });
  });
});
