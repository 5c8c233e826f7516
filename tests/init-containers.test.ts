import type { V1Pod } from '@kubernetes/client-node';
import type { HeldBack, WaitOutcome } from '../lib/kit/index.ts';
import {
  appHeldBack, appStartedAt, awaitPod, consistently, initOrderViolation, initRuns, listEvents, marksSince, orderViolation,
  parseMarks, podRunning, pods, readContainerLog, readFileInPod, runCase, startCase, TIMEOUTS, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Init containers run to completion, in order, before the app';
const t = useTestNamespace('init-containers');

// How long, at least, the app behind a failing init container is watched. The kubelet reruns a failed init
// container at once; after the second failure it backs off 10 s (doubling), says so at once (a BackOff event),
// but publishes Init:CrashLoopBackOff only at the pod's next sync, which its pod worker queues 10-15 s later
// (backOffPeriod 10 s, jitter 0.5: pod_workers.go). On a busy node, where each run of the init container takes
// seconds to start, that lands after 20 s: the watch then goes on until the status shows it (TIMEOUTS.assert).
const HELD_BACK_WINDOW_MS = 20_000;
const BACK_OFF = 'Init:CrashLoopBackOff';
const EVENTS = ['first-start', 'first-done', 'second-start', 'second-done', 'app-start'];

let inOrder: Promise<void>;
let heldBack: Promise<void>;

beforeAll(async () => {
  await t.apply('init-containers.yaml');

  inOrder = startCase(() => runCase(BEHAVIOUR, 'two init containers, then the app', async (seen) => {
    const [pod] = await awaitPod(t, 'init-in-order', podRunning(), 'init-in-order to run its app after its init containers');
    const marks = parseMarks((await readFileInPod(t, 'init-in-order', 'app', '/work/marks')));
    const seenByApp = parseMarks(await readFileInPod(t, 'init-in-order', 'app', '/work/seen-by-app'));
    Object.assign(seen, {
      kubelet: { inits: initRuns(pod!), appStartedAt: appStartedAt(pod!, 'app') },
      marksSecondsAfterFirstStart: marksSince(marks, marks[0]?.atMs ?? 0),
      seenByApp: seenByApp.map((m) => m.event),
    });
    expect(initOrderViolation(pod!, 'app')).toBeUndefined();
    expect(orderViolation(marks, EVENTS)).toBeUndefined();
    expect(seenByApp.map((m) => m.event)).toEqual(['first-start', 'first-done', 'second-start', 'second-done']);
  }));

  heldBack = startCase(() => runCase(BEHAVIOUR, 'control: a failing init container', async (seen) => {
    const states: HeldBack[] = [];
    const held = appHeldBack('setup', 'app');
    const startedAt = Date.now();
    // The check the in-order case passes, asked of every state seen: it must fail throughout (it would pass
    // the moment the app started after completed init containers).
    const orderChecks: string[] = [];
    const heldAndSeen = (items: V1Pod[]): WaitOutcome<HeldBack> => {
      const violation = items[0] && initOrderViolation(items[0], 'app');
      if (items[0] && violation === undefined) return { done: false, note: 'the in-order case\'s check (initOrderViolation) passed' };
      if (violation && orderChecks.at(-1) !== violation) orderChecks.push(violation);
      const outcome = held(items);
      if ('done' in outcome && outcome.done) states.push(outcome.value);
      return outcome;
    };
    await consistently({
      ...pods(t.kube, t.ns, { name: 'init-fails' }),
      description: `init-fails' app container to stay unstarted for ${HELD_BACK_WINDOW_MS / 1000} s`,
      predicate: heldAndSeen,
      windowMs: HELD_BACK_WINDOW_MS,
    });
    if (!states.some((s) => s.initStatus === BACK_OFF)) {
      // The app must stay unstarted here too: the window only grows.
      await waitFor({
        ...pods(t.kube, t.ns, { name: 'init-fails' }),
        description: `init-fails to show ${BACK_OFF}, its app container still unstarted`,
        predicate: (items) => {
          const outcome = heldAndSeen(items);
          if ('fatal' in outcome) return outcome;
          if (!outcome.done) return { fatal: outcome.note ?? 'the app container started' };
          return outcome.value.initStatus === BACK_OFF ? outcome : { done: false, note: `init status ${outcome.value.initStatus}` };
        },
        timeoutMs: TIMEOUTS.assert,
      });
    }
    const heldBackSeconds = (Date.now() - startedAt) / 1000;
    const backOffEvents = (await listEvents(t.kube, t.ns, { kind: 'Pod', name: 'init-fails' }))
      .filter((e) => e.reason === 'BackOff' && /restarting failed container setup\b/.test(e.message ?? ''));
    const log = await readContainerLog(t, 'init-fails', 'app');
    const statuses = [...new Set(states.map((s) => s.initStatus))];
    const last = states.at(-1);
    Object.assign(seen, { windowSeconds: HELD_BACK_WINDOW_MS / 1000, heldBackSeconds, statesSeen: states.length, initStatuses: statuses,
      backOffEvents: backOffEvents.map((e) => e.message), initRestarts: last?.initRestarts, initExitCode: last?.initExitCode,
      appWaitingReason: last?.appWaitingReason, appLog: log, orderChecks });
    expect(last?.initRestarts).toBeGreaterThanOrEqual(1);
    expect(last?.initExitCode).toBe(1);
    expect(statuses).toContain(BACK_OFF);
    expect(backOffEvents.length).toBeGreaterThanOrEqual(1);
    expect(last?.appWaitingReason).toBe('PodInitializing');
    expect(log).toEqual({ refused: expect.stringMatching(/waiting to start|PodInitializing/) });
    // ... and at the end it names the failing init container.
    expect(orderChecks.at(-1)).toMatch(/^init container setup (did not complete|ran \d+ times)/);
  }));
});

test('each init container runs to completion, in order, before the app container starts, and the app sees what they wrote', () => inOrder);

test('an init container that fails is rerun, then backed off (the kubelet\'s BackOff event and Init:CrashLoopBackOff), and the app container never starts, watched for 20 s and on until the status shows the back-off; the in-order case\'s check fails at every state seen, at the end naming the failing init container', () => heldBack);
