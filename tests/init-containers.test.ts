import type { HeldBack } from '../lib/kit/index.ts';
import {
  appHeldBack, appStartedAt, awaitPod, consistently, initOrderViolation, initRuns, marksSince, orderViolation, parseMarks,
  podRunning, pods, readContainerLog, readFileInPod, runCase, startCase, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Init containers run to completion, in order, before the app';
const t = useTestNamespace('init-containers');

// How long the app behind a failing init container is watched. The kubelet reruns a failed init container at
// once, then backs off 10 s (doubling): this window covers that first back-off, so the pod is seen in
// Init:CrashLoopBackOff with the app still not started.
const HELD_BACK_WINDOW_MS = 20_000;
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
    await consistently({
      ...pods(t.kube, t.ns, { name: 'init-fails' }),
      description: `init-fails' app container to stay unstarted for ${HELD_BACK_WINDOW_MS / 1000} s`,
      predicate: (items) => {
        const outcome = held(items);
        if ('done' in outcome && outcome.done) states.push(outcome.value);
        return outcome;
      },
      windowMs: HELD_BACK_WINDOW_MS,
    });
    const log = await readContainerLog(t, 'init-fails', 'app');
    const statuses = [...new Set(states.map((s) => s.initStatus))];
    const last = states.at(-1);
    Object.assign(seen, { windowSeconds: HELD_BACK_WINDOW_MS / 1000, statesSeen: states.length, initStatuses: statuses,
      initRestarts: last?.initRestarts, initExitCode: last?.initExitCode, appWaitingReason: last?.appWaitingReason, appLog: log });
    expect(last?.initRestarts).toBeGreaterThanOrEqual(1);
    expect(last?.initExitCode).toBe(1);
    expect(statuses).toContain('Init:CrashLoopBackOff');
    expect(last?.appWaitingReason).toBe('PodInitializing');
    expect(log).toEqual({ refused: expect.stringMatching(/waiting to start|PodInitializing/) });
  }));
});

test('each init container runs to completion, in order, before the app container starts, and the app sees what they wrote', () => inOrder);

test('an init container that fails is rerun with back-off (Init:CrashLoopBackOff) and the app container never starts over a 20 s window', () => heldBack);
