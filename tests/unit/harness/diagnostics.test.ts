import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { eventTime, formatEvents, formatPods, logTargets } from '../../../lib/kit/diagnostics.ts';

const event = (reason: string, times: Partial<CoreV1Event>, extra: Partial<CoreV1Event> = {}): CoreV1Event => ({
  metadata: {}, involvedObject: { kind: 'Pod', name: 'web-0' }, reason, type: 'Normal', message: `${reason} happened`, ...times, ...extra,
});

describe('diagnostics formatting', () => {
  it('must list events oldest first whatever timestamp field they carry', () => {
    const text = formatEvents([
      event('Killing', { lastTimestamp: new Date('2026-01-01T00:00:30Z') }),
      event('Scheduled', { eventTime: new Date('2026-01-01T00:00:01Z') as unknown as CoreV1Event['eventTime'] }),
      event('Unhealthy', { firstTimestamp: new Date('2026-01-01T00:00:10Z'), lastTimestamp: new Date('2026-01-01T00:00:20Z') },
        { type: 'Warning', count: 3 }),
    ]);
    const lines = text.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[2])).toEqual(['Scheduled', 'Unhealthy', 'Killing']);
    expect(lines[1]).toBe('2026-01-01T00:00:20.000Z  Warning  Unhealthy             Pod/web-0 (x3)  Unhealthy happened');
  });

  it('must use the newest time an event carries (a repeated event sorts by its last occurrence)', () => {
    expect(eventTime(event('x', { firstTimestamp: new Date(1000), lastTimestamp: new Date(5000) }))).toBe(5000);
    expect(eventTime(event('x', {}))).toBe(0);
  });

  it('must say so when there are no events or pods', () => {
    expect(formatEvents([])).toBe('(no events)\n');
    expect(formatPods([])).toBe('(no pods)\n');
  });

  it('must summarize each pod and include its full status', () => {
    const pod: V1Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [
      { name: 'c', ready: true, restartCount: 2, image: 'i', imageID: '', state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] } };
    const text = formatPods([pod]);
    expect(text).toContain('pod/p phase=Running');
    expect(text).toContain('container c: running ready=true restarts=2 last=terminated(exit 137, OOMKilled)');
    expect(text).toContain('    phase: Running');
  });

  it('must fetch the logs of started containers, and the previous log only of those that restarted', () => {
    const pod: V1Pod = { metadata: { name: 'p' }, spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      status: {
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 0 } } }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 1, image: 'i', imageID: '', state: { running: {} } },
          { name: 'b', ready: true, restartCount: 0, image: 'i', imageID: '', state: { running: {} } },
          { name: 'c', ready: false, restartCount: 0, image: 'i', imageID: '', state: { waiting: { reason: 'ImagePullBackOff' } } }] } };
    expect(logTargets(pod)).toEqual([
      { container: 'init', previous: false }, { container: 'a', previous: false }, { container: 'a', previous: true },
      { container: 'b', previous: false }]);
  });
});
