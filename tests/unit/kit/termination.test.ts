import type { V1Pod } from '@kubernetes/client-node';
import { containerHistory, ranSeconds, wasKilledForMemory } from '../../../lib/kit/containers.ts';

function pod(restartCount: number, terminated?: { exitCode: number; reason?: string }): V1Pod {
  return { status: { containerStatuses: [{ name: 'allocator', image: 'x', imageID: '', ready: false,
    restartCount, lastState: terminated ? { terminated } : {} }] } };
}

describe('containerHistory', () => {
  test('reads the previous end of a restarted container', () => {
    const history = containerHistory(pod(2, { exitCode: 137, reason: 'OOMKilled' }), 'allocator');
    expect(history).toMatchObject({ restartCount: 2, lastTermination: { exitCode: 137, reason: 'OOMKilled' } });
    expect(wasKilledForMemory(history)).toBe(true);
  });

  test('exit code 137 counts even when containerd lost the OOM event and the reason says Error', () => {
    expect(wasKilledForMemory(containerHistory(pod(1, { exitCode: 137, reason: 'Error' }), 'allocator'))).toBe(true);
  });

  test('a container that never ended, or ended otherwise, was not killed for memory', () => {
    expect(wasKilledForMemory(containerHistory(pod(0), 'allocator'))).toBe(false);
    expect(wasKilledForMemory(containerHistory(pod(1, { exitCode: 1, reason: 'Error' }), 'allocator'))).toBe(false);
    expect(containerHistory(pod(0), 'missing')).toEqual({ restartCount: 0, lastTermination: undefined });
  });
});

describe('ranSeconds', () => {
  test('is the time between the start and the end of the previous container', () => {
    expect(ranSeconds({ exitCode: 137, startedAt: '2026-11-21T05:31:22.000Z', finishedAt: '2026-11-21T05:31:34.000Z' })).toBe(12);
    expect(ranSeconds({ exitCode: 137 })).toBeUndefined();
    expect(ranSeconds(undefined)).toBeUndefined();
  });
});
