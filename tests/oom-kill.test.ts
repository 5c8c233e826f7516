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

// The negative controls: two containers far under their limit that end with exit code 137 from a SIGKILL that is not
// the OOM killer's: one whose own process is SIGKILLed (`kill -9 $$`), one whose PID 1 exits with the 137 of a child
// it SIGKILLed (the shape of a cgroup v1 OOM kill, where the kernel kills the largest process, not PID 1).
const SIGKILLED = [
  { pod: 'sigkilled-itself', how: 'its own process killed by kill -9 $$' },
  { pod: 'sigkilled-under-limit', how: 'PID 1 exits with a SIGKILLed child\'s 137' },
] as const;

test.each(SIGKILLED)('a container under its memory limit that exits 137 from a SIGKILL that is not the OOM killer\'s ($how) ' +
  'is not an OOM kill to the same check (reason not OOMKilled)', async ({ pod, how }) => {
  await runCase(BEHAVIOUR, `control: exit 137, ${how}, under a 64 MiB limit`, async (seen) => {
    const status = await awaitPod(t, pod, containerRestarted('allocator', 1),
      `${pod} to be SIGKILLed and restarted, the end recorded`, 120_000);
    const history = historyOf(status);
    const verdict = memoryKill(history);
    Object.assign(seen, { exitCode: history.lastTermination?.exitCode, reason: history.lastTermination?.reason ?? '(none)',
      restartCount: history.restartCount, evidence: verdict.evidence });
    expect(history.lastTermination?.exitCode).toBe(OOM_EXIT_CODE);
    expect(verdict.killed).toBe(false);
  });
});
