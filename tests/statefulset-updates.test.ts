import type { V1Pod } from '@kubernetes/client-node';
import {
  ConsistentlyViolatedError, awaitPod, awaitStatefulSet, awaitStatefulSetReady, consistently, deletePodAndAwaitReplacement,
  partitionPatch, patchStatefulSet, podReadyOnRevision, pods, readFileInPod, readPod, revisionOf, runCase,
  startPodTimeline, statefulSetStatusIs, stepsStartedEarly, templateEnvPatch, unchangedPod, updateRevisionMovedFrom,
  updateSteps, useTestNamespace, versionAnswer,
} from '../lib/kit/index.ts';

// Each replica serves its VERSION over HTTP and keeps "<pod name> <pod uid>" on its own claim
// (manifests/statefulset-updates.yaml). A template change (VERSION v1 -> v2) makes a new revision; which pods
// move to it is the behaviour. The window check "these pods stay the same pods on the old revision" holds
// where they must not change, and is shown failing, naming the pod, where they do (partition lowered to 0).
const BEHAVIOUR = 'StatefulSet update strategies';
const REPLICAS = 3;
const ORDINALS = [0, 1, 2];
/** How long pods that must not change are watched after the change that must not reach them. */
const WINDOW_MS = 5000;
const t = useTestNamespace('statefulset-updates');

const selector = (set: string): string => `app.kubernetes.io/name=${set}`;
const setPods = (set: string) => pods(t.kube, t.ns, { labelSelector: selector(set) });

interface Replica {
  pod: string;
  uid: string;
  revision?: string;
  version: string;
  data: string;
}

async function replica(pod: V1Pod): Promise<Replica> {
  const name = pod.metadata?.name ?? '';
  return { pod: name, uid: pod.metadata?.uid ?? '', revision: revisionOf(pod), version: await versionAnswer(t, name),
    data: await readFileInPod(t, name, 'app', '/data/identity') };
}

const replicas = async (set: string): Promise<Replica[]> =>
  Promise.all(ORDINALS.map(async (i) => replica(await readPod(t, `${set}-${i}`))));

/**
 * Applies the set, waits for it, and returns its revision and replicas. Set-up, not the behaviour: three claims
 * provisioned by local-path, which on a busy node has taken minutes, hence the long deadline.
 */
async function start(set: string, strategy: string): Promise<{ revision: string; before: Replica[]; setupMs: number }> {
  const started = Date.now();
  await t.apply('statefulset-updates.yaml', { NAME: set, UPDATE_STRATEGY: strategy });
  const ready = await awaitStatefulSetReady(t, set, REPLICAS, 420_000);
  return { revision: ready.status?.currentRevision ?? '', before: await replicas(set), setupMs: Date.now() - started };
}

/** Changes VERSION to v2; resolves with the new update revision once the controller has made it. */
async function changeTemplate(set: string, from: string): Promise<string> {
  await patchStatefulSet(t, set, templateEnvPatch(0, 'VERSION', 'v2'));
  const set2 = await awaitStatefulSet(t, set, updateRevisionMovedFrom(from), `${set} to have a new update revision`);
  return set2.status?.updateRevision ?? '';
}

/** The window check: the pods in `kept` stay the same pods on `revision` for `windowMs`. */
function keep(set: string, kept: Replica[], revision: string, windowMs = WINDOW_MS) {
  return consistently({ ...setPods(set), windowMs,
    description: `pods ${kept.map((r) => r.pod).join(', ')} stay the same pods on revision ${revision}`,
    violation: unchangedPod(new Map(kept.map((r) => [r.pod, r.uid])), revision) });
}

const byName = (all: Replica[], pod: string): Replica => all.find((r) => r.pod === pod)!;

test.concurrent(`RollingUpdate with partition 2 updates only ordinal 2 while 0 and 1 stay on the old revision (watched for ${WINDOW_MS / 1000} s); ` +
  'lowering the partition to 0 rolls 1 then 0, one at a time, and every replica keeps its claim data ' +
  '(control: the same window check fails once the partition is lowered, naming canary-1)', async () => {
  await runCase(BEHAVIOUR, 'RollingUpdate with partition (canary)', async (seen) => {
    const set = 'canary';
    const { revision: r1, before, setupMs } = await start(set, '{type: RollingUpdate, rollingUpdate: {partition: 2}}');
    Object.assign(seen, { setupMs, before });
    const timeline = await startPodTimeline(t, selector(set), revisionOf);
    try {
      const started = Date.now();
      const r2 = await changeTemplate(set, r1);
      await awaitPod(t, 'canary-2', podReadyOnRevision('canary-2', r2), `canary-2 Ready on revision ${r2}`, 180_000);
      const canaryMs = Date.now() - started;
      const below = before.filter((r) => r.pod !== 'canary-2');
      const held = await keep(set, below, r1);
      const canaryStatus = await awaitStatefulSet(t, set, statefulSetStatusIs(REPLICAS, 1), `${set} status: 3 ready, 1 updated`);
      const canary = await replicas(set);
      Object.assign(seen, { revisions: { old: r1, new: r2 }, canaryMs, window: held, canary,
        statusAfterCanary: { currentRevision: canaryStatus.status?.currentRevision, updateRevision: canaryStatus.status?.updateRevision,
          updatedReplicas: canaryStatus.status?.updatedReplicas } });
      expect(canaryStatus.status).toMatchObject({ currentRevision: r1, updateRevision: r2 });
      expect(canary.map((r) => [r.pod, r.revision, r.version])).toEqual([['canary-0', r1, 'v1'], ['canary-1', r1, 'v1'], ['canary-2', r2, 'v2']]);
      expect(canary.map((r) => r.uid).slice(0, 2)).toEqual(below.map((r) => r.uid));

      // Control and second phase: with the partition at 0 the same check must catch the change.
      const lowered = Date.now();
      await patchStatefulSet(t, set, partitionPatch(0));
      const control = await keep(set, below, r1, 120_000).then(() => undefined, (err: unknown) => err);
      const rolled = await awaitStatefulSetReady(t, set, REPLICAS);
      const rollMs = Date.now() - lowered;
      seen.behaviourMs = Date.now() - started;
      const after = await replicas(set);
      await timeline.until('every old pod replaced by a Ready one', (events) => {
        const all = updateSteps(events, r1);
        return all.length === REPLICAS && all.every((s) => s.replacementReady !== undefined);
      });
      const steps = updateSteps(timeline.events, r1);
      Object.assign(seen, { control: control instanceof ConsistentlyViolatedError ? { violatedAfterMs: control.afterMs, reason: control.reason }
        : String(control), rollMs, after, updateOrder: steps.map((s) => s.pod), stepsStartedEarly: stepsStartedEarly(steps),
      statusAfterRoll: { currentRevision: rolled.status?.currentRevision, updateRevision: rolled.status?.updateRevision },
      timeline: timeline.relative() });
      expect(control).toBeInstanceOf(ConsistentlyViolatedError);
      expect((control as ConsistentlyViolatedError).reason).toMatch(/^canary-1 /);
      expect(rolled.status).toMatchObject({ currentRevision: r2, updateRevision: r2 });
      expect(steps.map((s) => s.pod)).toEqual(['canary-2', 'canary-1', 'canary-0']);
      expect(stepsStartedEarly(steps)).toEqual([]);
      for (const r of after) {
        expect([r.revision, r.version]).toEqual([r2, 'v2']);
        expect(r.uid).not.toBe(byName(before, r.pod).uid);
        // The claim's file still names the pod from before the update: the data survived the replacement.
        expect(r.data).toBe(byName(before, r.pod).data);
        expect(r.data).toBe(`${r.pod} ${byName(before, r.pod).uid}`);
      }
    } finally {
      timeline.stop();
    }
  });
});

test.concurrent(`OnDelete: a template change replaces no pod (watched for ${WINDOW_MS / 1000} s); a deleted pod comes back on the new ` +
  'revision while the others stay on the old one and keep their claim data (control: the replacement fails the window check\'s ' +
  'revision test)', async () => {
  await runCase(BEHAVIOUR, 'OnDelete', async (seen) => {
    const set = 'ondelete';
    const { revision: r1, before, setupMs } = await start(set, '{type: OnDelete}');
    const changed = Date.now();
    const r2 = await changeTemplate(set, r1);
    const held = await keep(set, before, r1);
    Object.assign(seen, { setupMs, revisions: { old: r1, new: r2 }, before, window: held });

    const { after: replacement, elapsedMs } = await deletePodAndAwaitReplacement(t, 'ondelete-1', 180_000);
    const others = before.filter((r) => r.pod !== 'ondelete-1');
    const heldAfter = await keep(set, others, r1);
    const status = await awaitStatefulSet(t, set, statefulSetStatusIs(REPLICAS, 1), `${set} status: 3 ready, 1 updated`);
    const after = await replicas(set);
    // The revision half of the window check, applied to the replacement (its own uid, so only the revision counts).
    const violation = unchangedPod(new Map([['ondelete-1', replacement.metadata?.uid ?? '']]), r1)(replacement);
    Object.assign(seen, { replacedInMs: elapsedMs, windowAfterDelete: heldAfter, behaviourMs: Date.now() - changed, after, controlViolation: violation,
      status: { currentRevision: status.status?.currentRevision, updateRevision: status.status?.updateRevision,
        updatedReplicas: status.status?.updatedReplicas } });
    expect(violation).toBe(`ondelete-1 is on revision ${r2}, not ${r1}`);
    expect(after.map((r) => [r.pod, r.revision, r.version])).toEqual([['ondelete-0', r1, 'v1'], ['ondelete-1', r2, 'v2'], ['ondelete-2', r1, 'v1']]);
    expect(after.map((r) => r.data)).toEqual(before.map((r) => r.data));
    expect(status.status).toMatchObject({ currentRevision: r1, updateRevision: r2 });
  });
});
