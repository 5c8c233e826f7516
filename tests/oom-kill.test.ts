import {
  awaitPod, containerHistory, containerRestarted, historyOf, OOM_EXIT_CODE, podReady, readySinceStart, runCase, useTestNamespace,
  wasKilledForMemory,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'OOM kill at the memory limit';
const t = useTestNamespace('oom-kill');

beforeAll(() => t.apply('oom-kill.yaml'));

test('a container that allocates past its memory limit is killed with exit code 137 and restarted', async () => {
  await runCase(BEHAVIOUR, 'allocates 20 MiB past a 15 MiB limit', async (seen) => {
    const status = await awaitPod(t, 'allocates-past-limit', containerRestarted('allocator', 1),
      'allocates-past-limit to be killed and restarted, the kill recorded', 120_000);
    const history = historyOf(status);
    Object.assign(seen, {
      exitCode: history.lastTermination?.exitCode,
      // containerd can lose the OOM event (kubernetes #119600): the reason is reported, the exit code decides.
      reason: history.lastTermination?.reason ?? '(none)',
      restartCount: history.restartCount,
    });
    expect(history.lastTermination?.exitCode).toBe(OOM_EXIT_CODE);
    expect(history.restartCount).toBeGreaterThanOrEqual(1);
    expect(wasKilledForMemory(history)).toBe(true);
  });
});

test('the same workload under its memory limit completes the allocation and keeps running without a restart', async () => {
  await runCase(BEHAVIOUR, 'control: allocates 20 MiB within a 64 MiB limit', async (seen) => {
    // Ready means the workload wrote its "allocation done" mark after dd returned, and is still running.
    const [pod] = await awaitPod(t, 'allocates-under-limit', podReady(),
      'allocates-under-limit to finish its allocation and report Ready', 120_000);
    const history = containerHistory(pod!, 'allocator');
    Object.assign(seen, { restartCount: history.restartCount, lastTermination: history.lastTermination ?? null,
      allocationDoneAfterSeconds: readySinceStart(pod!, 'allocator') });
    expect(wasKilledForMemory(history)).toBe(false);
    expect(history.restartCount).toBe(0);
  });
});
