import {
  awaitPod, containerHistory, containerRestarted, historyOf, memoryKill, OOM_EXIT_CODE, OOM_REASON, podReady, readySinceStart, runCase,
  useTestNamespace, wasKilledForMemory,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'OOM kill at the memory limit';
const t = useTestNamespace('oom-kill');

beforeAll(() => t.apply('oom-kill.yaml'));

test('a container that allocates past its memory limit is killed by the OOM killer (exit code 137, reason OOMKilled) and restarted', async () => {
  await runCase(BEHAVIOUR, 'allocates 20 MiB past a 15 MiB limit', async (seen) => {
    const status = await awaitPod(t, 'allocates-past-limit', containerRestarted('allocator', 1),
      'allocates-past-limit to be killed and restarted, the kill recorded', 120_000);
    const history = historyOf(status);
    const verdict = memoryKill(history);
    Object.assign(seen, {
      exitCode: history.lastTermination?.exitCode,
      reason: history.lastTermination?.reason ?? '(none)',
      restartCount: history.restartCount,
      evidence: verdict.evidence,
    });
    expect(history.lastTermination?.exitCode).toBe(OOM_EXIT_CODE);
    expect(history.lastTermination?.reason).toBe(OOM_REASON);
    expect(history.restartCount).toBeGreaterThanOrEqual(1);
    expect(verdict).toMatchObject({ killed: true });
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

test('a container that exits 137 from a SIGKILL that is not the OOM killer\'s is not counted as an OOM kill by the same check', async () => {
  await runCase(BEHAVIOUR, 'control: exit 137 from a kill -9 under a 64 MiB limit', async (seen) => {
    const status = await awaitPod(t, 'sigkilled-under-limit', containerRestarted('allocator', 1),
      'sigkilled-under-limit to be SIGKILLed and restarted, the end recorded', 120_000);
    const history = historyOf(status);
    const verdict = memoryKill(history);
    Object.assign(seen, { exitCode: history.lastTermination?.exitCode, reason: history.lastTermination?.reason ?? '(none)',
      restartCount: history.restartCount, evidence: verdict.evidence });
    expect(history.lastTermination?.exitCode).toBe(OOM_EXIT_CODE);
    expect(verdict.killed).toBe(false);
  });
});
