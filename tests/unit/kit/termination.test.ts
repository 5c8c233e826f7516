import type { V1Pod } from '@kubernetes/client-node';
import { containerHistory, memoryKill, ranSeconds, wasKilledForMemory } from '../../../lib/kit/containers.ts';

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

  test('exit code 137 without the OOMKilled reason is a SIGKILL from elsewhere, not an OOM kill, and the evidence says so', () => {
    expect(memoryKill(containerHistory(pod(1, { exitCode: 137, reason: 'Error' }), 'allocator'))).toEqual({ killed: false,
      evidence: 'exit code 137, reason Error: a SIGKILL, but not the OOM killer\'s (decided by the reason: the runtime saw no OOM event in the container\'s cgroup)' });
    expect(wasKilledForMemory(containerHistory(pod(1, { exitCode: 137 }), 'allocator'))).toBe(false);
    expect(memoryKill(containerHistory(pod(1, { exitCode: 137, reason: 'OOMKilled' }), 'allocator')).evidence)
      .toBe('exit code 137, reason OOMKilled: decided by the reason, the runtime\'s OOM event for the container\'s cgroup');
  });

  test('the reason OOMKilled without exit code 137 (or without a restart) is not an OOM kill of the container', () => {
    expect(memoryKill(containerHistory(pod(1, { exitCode: 0, reason: 'OOMKilled' }), 'allocator')))
      .toEqual({ killed: false, evidence: 'exit code 0, reason OOMKilled: not a SIGKILL' });
    expect(memoryKill(containerHistory(pod(0, { exitCode: 137, reason: 'OOMKilled' }), 'allocator')).killed).toBe(false);
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
