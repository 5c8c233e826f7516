import type { PodTimeline } from '../lib/kit/index.ts';
import {
  ConsistentlyViolatedError, awaitPod, awaitStatefulSetReady, consistently, createdBeforePredecessorReady,
  containerRunning, openReadinessGate, orderOf, overlappingRemovals, patchStatefulSet, pods, replicasPatch, runCase,
  startPodTimeline, successorWhileHeld, useTestNamespace,
} from '../lib/kit/index.ts';

// Each set's pods stay not-ready until the test creates /tmp/ready in them (manifests/statefulset-ordering.yaml).
// The same two checks judge both policies: "no pod above the held one appears during the window" and "each
// removal ends before the next begins". OrderedReady passes them; Parallel, the built-in control, fails them.
const BEHAVIOUR = 'StatefulSet pod management order';
const REPLICAS = 3;
/** How long pod 0 is held not-ready while its successor is watched for. */
const HOLD_MS = 5000;
const t = useTestNamespace('statefulset-ordering');

const selector = (set: string): string => `app.kubernetes.io/name=${set}`;
const podName = (set: string, ordinal: number): string => `${set}-${ordinal}`;

interface Story {
  timeline: PodTimeline;
  /** The window check over pod 0 held not-ready: held (events seen) or the error naming the violating pod. */
  hold: { held: true; events: number } | { held: false; error: ConsistentlyViolatedError };
  startedAt: number;
  allReadyMs: number;
  scaleDownMs: number;
}

/** Holds pod 0 not-ready for HOLD_MS while watching for its successors, then releases pods in ordinal order. */
async function createAndRelease(set: string, policy: string): Promise<Omit<Story, 'scaleDownMs'>> {
  const timeline = await startPodTimeline(t, selector(set));
  const startedAt = Date.now();
  await t.apply('statefulset-ordering.yaml', { NAME: set, POLICY: policy });
  await awaitPod(t, podName(set, 0), containerRunning('app'), `pod ${podName(set, 0)}'s container to run (held not-ready)`);
  let hold: Story['hold'];
  try {
    const window = await consistently({ ...pods(t.kube, t.ns, { labelSelector: selector(set) }),
      description: `no pod of ${set} above ordinal 0 while ${podName(set, 0)} is held not-ready (${HOLD_MS} ms)`,
      violation: successorWhileHeld(set, 0), windowMs: HOLD_MS });
    hold = { held: true, events: window.observations };
  } catch (err) {
    if (!(err instanceof ConsistentlyViolatedError)) throw err;
    hold = { held: false, error: err };
  }
  // Release in ordinal order: each gate opens once its pod runs (after N-1 turned Ready under OrderedReady, at once
  // under Parallel).
  for (let ordinal = 0; ordinal < REPLICAS; ordinal++) await openReadinessGate(t, podName(set, ordinal));
  await awaitStatefulSetReady(t, set, REPLICAS);
  return { timeline, hold, startedAt, allReadyMs: Date.now() - startedAt };
}

async function scaleToZero(set: string, timeline: PodTimeline): Promise<number> {
  const started = Date.now();
  await patchStatefulSet(t, set, replicasPatch(0));
  await timeline.until(`every pod of ${set} deleted after scaling to 0`, () => timeline.live().length === 0, 120_000);
  return Date.now() - started;
}

async function story(set: string, policy: string): Promise<Story> {
  const created = await createAndRelease(set, policy);
  try {
    return { ...created, scaleDownMs: await scaleToZero(set, created.timeline) };
  } finally {
    created.timeline.stop();
  }
}

function observe(seen: Record<string, unknown>, s: Story): void {
  Object.assign(seen, {
    holdWindow: s.hold.held ? { heldMs: HOLD_MS, eventsSeen: s.hold.events }
      : { violatedAfterMs: s.hold.error.afterMs, reason: s.hold.error.reason },
    creationOrder: orderOf(s.timeline.events, 'created'),
    readyOrder: orderOf(s.timeline.events, 'ready'),
    createdBeforePredecessorReady: createdBeforePredecessorReady(s.timeline.events),
    removalOrder: orderOf(s.timeline.events, 'terminating'),
    overlappingRemovals: overlappingRemovals(s.timeline.events),
    allReadyMs: s.allReadyMs, scaleDownMs: s.scaleDownMs,
    timeline: s.timeline.relative(),
  });
}

test.concurrent(`OrderedReady: no pod N+1 exists while pod N is not Ready (none appears during a ${HOLD_MS / 1000} s window holding pod 0 not-ready), ` +
  'and scale-down removes pods in reverse ordinal order, each gone before the next is deleted', async () => {
  await runCase(BEHAVIOUR, 'OrderedReady', async (seen) => {
    const s = await story('ordered', 'OrderedReady');
    observe(seen, s);
    expect(s.hold).toMatchObject({ held: true });
    expect(orderOf(s.timeline.events, 'created')).toEqual(['ordered-0', 'ordered-1', 'ordered-2']);
    expect(createdBeforePredecessorReady(s.timeline.events)).toEqual([]);
    expect(orderOf(s.timeline.events, 'terminating')).toEqual(['ordered-2', 'ordered-1', 'ordered-0']);
    expect(overlappingRemovals(s.timeline.events)).toEqual([]);
  });
});

test.concurrent('Parallel (control): every pod is created while pod 0 is held not-ready, so the OrderedReady window check fails ' +
  'naming a pod above ordinal 0; scale-down removes pods together, so the one-at-a-time check fails', async () => {
  await runCase(BEHAVIOUR, 'control: Parallel', async (seen) => {
    const s = await story('parallel', 'Parallel');
    observe(seen, s);
    expect(s.hold).toMatchObject({ held: false });
    if (s.hold.held) return;
    expect(s.hold.error.message).toMatch(/\nobject:\npod\/parallel-[12] /);
    expect([...orderOf(s.timeline.events, 'created')].sort()).toEqual(['parallel-0', 'parallel-1', 'parallel-2']);
    expect(createdBeforePredecessorReady(s.timeline.events).map((e) => e.pod).sort()).toEqual(['parallel-1', 'parallel-2']);
    expect(overlappingRemovals(s.timeline.events).length).toBeGreaterThan(0);
  });
});
