import {
  awaitLivenessEvidence, awaitPod, containerHistory, containerRestarted, historyOf, podReady, ranSeconds, readLivenessEvidence,
  readySinceStart, runCase, showsLivenessRestart, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Liveness probe failures restart the container';
const t = useTestNamespace('liveness-restart');

// The failing pods are restarted about 12 s after they start (their probes pass for 10 s, then fail once
// with failureThreshold 1, probed every 2 s). The passing pods' readiness needs ten passes of the same
// check in a row, which takes longer than that; this floor keeps the control's window the longer one.
const CONTROL_WINDOW_FLOOR_SECONDS = 15;

beforeAll(async () => {
  await t.apply('liveness-exec.yaml');
  await t.apply('liveness-http.yaml');
});

test.each([
  ['an exec', 'exec-probe-fails'],
  ['an HTTP', 'http-probe-fails'],
])('%s liveness probe that starts failing restarts the container, with Unhealthy and Killing events', async (_, pod) => {
  await runCase(BEHAVIOUR, `${pod}: the probe starts failing`, async (seen) => {
    const status = await awaitPod(t, pod, containerRestarted('app', 1), `${pod} to be restarted by its liveness probe`);
    const evidence = await awaitLivenessEvidence(t, pod);
    const { restartCount, lastTermination } = historyOf(status);
    Object.assign(seen, { restartCount, lastTermination, killedAfterSeconds: ranSeconds(lastTermination),
      unhealthy: evidence.unhealthy, killing: evidence.killing });
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
    expect(showsLivenessRestart(evidence)).toBe(true);
    expect(evidence.killing[0]).toMatch(/failed liveness probe, will be restarted/);
  });
});

test.each([
  ['an exec', 'exec-probe-passes'],
  ['an HTTP', 'http-probe-passes'],
])('%s liveness probe that keeps passing causes no restart over a longer window', async (_, pod) => {
  await runCase(BEHAVIOUR, `control: ${pod}: the probe keeps passing`, async (seen) => {
    const [ready] = await awaitPod(t, pod, podReady(), `${pod}'s probe to pass ten times in a row (Ready)`);
    const history = containerHistory(ready!, 'app');
    const evidence = await readLivenessEvidence(t, pod);
    const windowSeconds = readySinceStart(ready!, 'app');
    Object.assign(seen, { restartCount: history.restartCount, windowSeconds, unhealthy: evidence.unhealthy,
      killing: evidence.killing });
    expect(windowSeconds).toBeGreaterThanOrEqual(CONTROL_WINDOW_FLOOR_SECONDS);
    expect(history.restartCount).toBe(0);
    expect(showsLivenessRestart(evidence)).toBe(false);
  });
});
