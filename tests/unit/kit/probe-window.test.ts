import { readySinceStart } from '../../../lib/kit/containers.ts';

describe('readySinceStart', () => {
  const pod = (ready?: string) => ({
    metadata: { name: 'p' },
    status: {
      containerStatuses: [{ name: 'app', image: 'x', imageID: '', ready: ready !== undefined, restartCount: 0,
        state: { running: { startedAt: new Date('2026-11-21T06:00:00Z') } } }],
      conditions: ready === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(ready) }],
    },
  });

  test('measures from the container start to the Ready transition', () => {
    expect(readySinceStart(pod('2026-11-21T06:00:23Z'), 'app')).toBe(23);
  });

  test('a pod that never turned Ready has no window', () => {
    expect(() => readySinceStart(pod(), 'app')).toThrow(/no start time or Ready transition/);
  });
});
