import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { appHeldBack, initOrderViolation, initRuns } from '../../../lib/kit/init-containers.ts';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 23, 11, 0, s));
const completed = (name: string, start: number, end: number, extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus => ({
  name, image: 'b', imageID: '', ready: false, restartCount: 0,
  state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at(start), finishedAt: at(end) } }, ...extra,
});
const app = (start?: number): V1ContainerStatus => ({
  name: 'app', image: 'b', imageID: '', ready: start !== undefined, restartCount: 0,
  state: start === undefined ? { waiting: { reason: 'PodInitializing' } } : { running: { startedAt: at(start) } },
});
const pod = (inits: V1ContainerStatus[], main: V1ContainerStatus, phase = 'Running'): V1Pod =>
  ({ metadata: { name: 'p' }, status: { phase, initContainerStatuses: inits, containerStatuses: [main] } });

describe('initOrderViolation', () => {
  it('must accept init containers that each completed before the next (equal seconds allowed) and before the app', () => {
    expect(initOrderViolation(pod([completed('first', 1, 2), completed('second', 2, 3)], app(3)), 'app')).toBeUndefined();
  });

  it('must name an init container that started before the previous one finished', () => {
    expect(initOrderViolation(pod([completed('first', 1, 3), completed('second', 2, 4)], app(5)), 'app'))
      .toMatch(/^second started .* before first finished/);
  });

  it('must name an app that started before the last init container finished, or did not start', () => {
    expect(initOrderViolation(pod([completed('first', 1, 2), completed('second', 2, 4)], app(3)), 'app'))
      .toMatch(/^app started .* before second finished/);
    expect(initOrderViolation(pod([completed('first', 1, 2)], app()), 'app')).toBe('the app container app has not started');
  });

  it('must refuse an init container that failed or ran more than once', () => {
    const failed = completed('first', 1, 2, { state: { terminated: { exitCode: 1, reason: 'Error' } } });
    expect(initOrderViolation(pod([failed], app(3)), 'app')).toBe('init container first did not complete (exit 1, Error)');
    expect(initOrderViolation(pod([completed('first', 1, 2, { restartCount: 1 })], app(3)), 'app')).toBe('init container first ran 2 times');
  });
});

describe('appHeldBack', () => {
  const crashLooping: V1ContainerStatus = { name: 'setup', image: 'b', imageID: '', ready: false, restartCount: 2,
    state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } };

  it('must hold while the app has not started, reporting the init container as kubectl shows it', () => {
    expect(appHeldBack('setup', 'app')([pod([crashLooping], app(), 'Pending')])).toEqual({ done: true, value: {
      phase: 'Pending', initStatus: 'Init:CrashLoopBackOff', initRestarts: 2, initExitCode: 1, appWaitingReason: 'PodInitializing' } });
    expect(initRuns(pod([crashLooping], app(), 'Pending'))[0]).toMatchObject({ reason: 'CrashLoopBackOff', exitCode: 1 });
  });

  it('must stop holding once the app container has a running state', () => {
    expect(appHeldBack('setup', 'app')([pod([completed('setup', 1, 2)], app(3))])).toMatchObject({ done: false, note: expect.stringMatching(/app container app started/) });
  });
});
