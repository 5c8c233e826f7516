import {
  awaitLivenessEvidence, awaitPod, awaitServiceEndpoint, containerHistory, containerLogText, containerRestarted, historyOf,
  isPodReady, markAt, measureClockOffset, onNodeClock, parseMarks, podReady, ranSeconds, readLivenessEvidence, readPod, readySinceStart,
  runCase, secondsTo, startCase, useTestNamespace,
} from '../lib/kit/index.ts';
import { readStarts, startupVerdict } from '../lib/checks/index.ts';

const BEHAVIOUR = 'A startupProbe shields a slow starter from its liveness probe';
const t = useTestNamespace('slow-start');

// Values from manifests/slow-start.yaml.
const LOAD_SECONDS = 30;
const STARTUP_BUDGET_SECONDS = 45; // periodSeconds 1 x failureThreshold 45
const LIVENESS_BUDGET_SECONDS = 6; // periodSeconds 2 x failureThreshold 3
// The app's own "loading"/"loaded" marks must be LOAD apart within this (sleep and process start).
const LOAD_TOLERANCE_SECONDS = 1;
// API times (startedAt, the Ready transition) have one-second resolution.
const API_RESOLUTION_SECONDS = 1;

let guarded: Promise<void>;
let unguarded: Promise<void>;

beforeAll(async () => {
  await t.apply('slow-start.yaml');

  guarded = startCase(() => runCase(BEHAVIOUR, `load ${LOAD_SECONDS} s, startupProbe budget ${STARTUP_BUDGET_SECONDS} s`, async (seen) => {
    const pod = 'model-startup-probe';
    // Both waits observe from before the load ends, so the first ready state each sees is when it turned ready.
    const [endpointReadySeenAtMs, { ready, podReadySeenAtMs }] = await Promise.all([
      awaitServiceEndpoint(t, 'model', pod, (e) => e?.ready === true, 'as ready', 120_000).then(() => Date.now()),
      awaitPod(t, pod, podReady(), `${pod} to load and turn Ready`, 120_000)
        .then(([first]) => ({ ready: first, podReadySeenAtMs: Date.now() })),
    ]);
    // The container's marks are on its node's clock; the two first sights are on this process's: put them on the
    // node's with an offset measured in the container now (lib/kit/clock.ts), never compared raw. From "loaded" to
    // each sight is then a span; "not before it had loaded" takes its least, so no skew can pass it.
    const clock = await measureClockOffset(t, pod, 'model');
    const marks = parseMarks(await containerLogText(t, pod, 'model'));
    const loadingAt = markAt(marks, 'loading');
    const loadedAt = markAt(marks, 'loaded');
    const endpointReadyAfterLoaded = secondsTo(loadedAt ?? NaN, onNodeClock(endpointReadySeenAtMs, clock));
    const podReadyAfterLoaded = secondsTo(loadedAt ?? NaN, onNodeClock(podReadySeenAtMs, clock));
    // The kubelet's own Ready transition, on the same node's clock as the marks (whole seconds, truncated).
    const readyTransition = ready!.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
    const readyTransitionAfterLoaded = ((readyTransition ? new Date(readyTransition).getTime() : NaN) - (loadedAt ?? NaN)) / 1000;
    const history = containerHistory(await readPod(t, pod), 'model');
    const evidence = await readLivenessEvidence(t, pod);
    const loadSeconds = ((loadedAt ?? NaN) - (loadingAt ?? NaN)) / 1000;
    Object.assign(seen, {
      loadSeconds, readyAfterStartSeconds: readySinceStart(ready!, 'model'),
      endpointReadySecondsAfterLoaded: endpointReadyAfterLoaded, podReadySecondsAfterLoaded: podReadyAfterLoaded,
      readyTransitionSecondsAfterLoaded: readyTransitionAfterLoaded,
      clockOffsetMs: Math.round(clock.offsetMs), clockUncertaintyMs: Math.round(clock.uncertaintyMs),
      restartCount: history.restartCount, killingEvents: evidence.killing, livenessFailures: evidence.unhealthy,
    });
    // The audit's start-up check on the same pod: no restart; its 30 s start uses over half the 45 s budget, so the
    // verdict is advice (room for a node twice as slow is what it asks), never fail. The control below must fail it.
    const verdict = startupVerdict(await readStarts(t, [ready!], 'model'), ready!.spec!.containers.find((c) => c.name === 'model')!);
    Object.assign(seen, { startupCheck: verdict.summary });
    expect(verdict.verdict).toBe('advice');
    expect(Math.abs(loadSeconds - LOAD_SECONDS)).toBeLessThanOrEqual(LOAD_TOLERANCE_SECONDS);
    expect(history.restartCount).toBe(0);
    expect(evidence.killing).toEqual([]);
    // Not ready before it had loaded: neither by the watches' first sight nor by the kubelet's own times.
    expect(endpointReadyAfterLoaded.least).toBeGreaterThanOrEqual(0);
    expect(podReadyAfterLoaded.least).toBeGreaterThanOrEqual(0);
    expect(readyTransitionAfterLoaded + API_RESOLUTION_SECONDS).toBeGreaterThanOrEqual(0);
    expect(readySinceStart(ready!, 'model')).toBeGreaterThanOrEqual(LOAD_SECONDS - API_RESOLUTION_SECONDS);
  }));

  unguarded = startCase(() => runCase(BEHAVIOUR, `control: load ${LOAD_SECONDS} s, liveness only (budget ${LIVENESS_BUDGET_SECONDS} s)`, async (seen) => {
    const pod = 'model-liveness-only';
    const status = await awaitPod(t, pod, containerRestarted('model', 1), `${pod} to be killed by its liveness probe`, 120_000);
    const evidence = await awaitLivenessEvidence(t, pod);
    const previousLog = parseMarks(await containerLogText(t, pod, 'model', true)).map((m) => m.event);
    const { restartCount, lastTermination } = historyOf(status);
    const current = await readPod(t, pod);
    const verdict = startupVerdict(await readStarts(t, [current], 'model'), current.spec!.containers.find((c) => c.name === 'model')!);
    Object.assign(seen, {
      restartCount, lastTermination, killedAfterSeconds: ranSeconds(lastTermination), previousLog,
      unhealthy: evidence.unhealthy, killing: evidence.killing, readyNow: isPodReady(current), startupCheck: verdict.summary,
    });
    expect(verdict.verdict).toBe('fail');
    expect(restartCount).toBeGreaterThanOrEqual(1);
    expect(evidence.killing[0]).toMatch(/failed liveness probe, will be restarted/);
    // Killed while still loading: it never logged "loaded", so it never served.
    expect(previousLog).toEqual(['loading']);
    expect(ranSeconds(lastTermination)).toBeLessThan(LOAD_SECONDS);
    expect(isPodReady(current)).toBe(false);
  }));
});

test(`an app that needs ${LOAD_SECONDS} s to load, guarded by a startupProbe (budget ${STARTUP_BUDGET_SECONDS} s), is never restarted and turns Ready and a Service endpoint only after it has loaded`,
  () => guarded);

test(`the same app with only a liveness probe (budget ${LIVENESS_BUDGET_SECONDS} s) is killed and restarted before it has ever loaded or served`,
  () => unguarded);
