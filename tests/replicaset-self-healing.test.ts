import {
  adoptedBy, awaitPod, consistently, controllerUid, podRunning, pods, replacedUpTo, replicaSetReady, replicaSets, retrying,
  runCase, settledAt, startCase, useTestNamespace, waitFor, waitFromNow,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'A ReplicaSet keeps its replica count';
const t = useTestNamespace('replicaset-self-healing');

const REPLICAS = 3;
// How long a deleted bare pod is watched for a replacement. A ReplicaSet creates one within about a second of
// the delete (measured in the heal case, reported as replacementSeenAfterSeconds); this is ten times that.
const NOT_REPLACED_WINDOW_MS = 10_000;

const selector = (name: string): string => `app.kubernetes.io/name=${name}`;

type Named = { metadata?: { name?: string; uid?: string } };

async function readySet(name: string): Promise<{ uid: string; pods: Named[] }> {
  const set = await waitFor({ ...replicaSets(t.kube, t.ns, { name }), description: `ReplicaSet ${name} to have ${REPLICAS} ready pods`,
    predicate: replicaSetReady(REPLICAS), timeoutMs: 120_000 });
  const uid = set.metadata?.uid ?? '';
  const listed = await retrying(`listing the pods of ${name}`, () => t.kube.core.listNamespacedPod({ namespace: t.ns, labelSelector: selector(name) }));
  return { uid, pods: listed.items };
}

const names = (list: Named[]): string[] => list.map((p) => p.metadata?.name ?? '').sort();

let heal: Promise<void>;
let adopt: Promise<void>;
let bare: Promise<void>;

beforeAll(async () => {
  await t.apply('replicaset-self-healing.yaml');

  heal = startCase(() => runCase(BEHAVIOUR, `delete one of ${REPLICAS}`, async (seen) => {
    const before = await readySet('heal');
    const victim = before.pods[0]!;
    const name = victim.metadata!.name!;
    const original = new Set(names(before.pods));
    const replaced = replacedUpTo(REPLICAS, before.uid, original);
    let replacementSeenAtMs: number | undefined;
    const { result } = await waitFromNow({
      ...pods(t.kube, t.ns, { labelSelector: selector('heal') }),
      description: `ReplicaSet heal to replace pod ${name} and be back at ${REPLICAS} Ready pods`,
      predicate: (items) => {
        if (replacementSeenAtMs === undefined && items.some((p) => !original.has(p.metadata?.name ?? ''))) replacementSeenAtMs = Date.now();
        return replaced(items);
      },
      timeoutMs: 120_000,
    });
    const deletedAtMs = Date.now();
    await retrying(`deleting pod ${name}`, () => t.kube.core.deleteNamespacedPod({ name, namespace: t.ns }));
    const fresh = await result;
    const backToCountSeconds = (Date.now() - deletedAtMs) / 1000;
    const set = await waitFor({ ...replicaSets(t.kube, t.ns, { name: 'heal' }), description: 'ReplicaSet heal to report 3 ready',
      predicate: replicaSetReady(REPLICAS), timeoutMs: 60_000 });
    const replacement = fresh[0]!;
    Object.assign(seen, {
      deleted: { name, uid: victim.metadata?.uid }, replacement: { name: replacement.metadata?.name, uid: replacement.metadata?.uid },
      replacementSeenAfterSeconds: replacementSeenAtMs === undefined ? undefined : (replacementSeenAtMs - deletedAtMs) / 1000,
      backToReadyCountAfterSeconds: backToCountSeconds, readyReplicas: set.status?.readyReplicas,
    });
    expect(fresh).toHaveLength(1);
    expect(replacement.metadata?.name).not.toBe(name);
    expect(replacement.metadata?.uid).not.toBe(victim.metadata?.uid);
    expect(controllerUid(replacement)).toBe(before.uid);
    expect(set.status?.readyReplicas).toBe(REPLICAS);
  }));

  adopt = startCase(() => runCase(BEHAVIOUR, `a hand-made pod with the labels of ${REPLICAS}`, async (seen) => {
    const before = await readySet('adopt');
    const { result: adopted } = await waitFromNow({
      ...pods(t.kube, t.ns, { name: 'adopt-by-hand' }), description: 'ReplicaSet adopt to adopt pod adopt-by-hand',
      predicate: adoptedBy(before.uid), timeoutMs: 60_000,
    });
    const createdAtMs = Date.now();
    await t.apply('replicaset-hand-made-pod.yaml');
    await adopted;
    const adoptedAfterSeconds = (Date.now() - createdAtMs) / 1000;
    const after = await waitFor({
      ...pods(t.kube, t.ns, { labelSelector: selector('adopt') }),
      description: `ReplicaSet adopt to remove its surplus pod and be back at ${REPLICAS}`,
      predicate: settledAt(REPLICAS, before.uid), timeoutMs: 120_000,
    });
    const backToCountSeconds = (Date.now() - createdAtMs) / 1000;
    const removed = [...names(before.pods), 'adopt-by-hand'].filter((n) => !after.includes(n));
    Object.assign(seen, { adoptedAfterSeconds, backToCountAfterSeconds: backToCountSeconds, podsAfter: after, removed });
    expect(removed).toHaveLength(1);
    expect(after).toHaveLength(REPLICAS);
  }));

  bare = startCase(() => runCase(BEHAVIOUR, 'control: a bare pod', async (seen) => {
    const [pod] = await awaitPod(t, 'bare', podRunning(), 'bare to run');
    const uid = pod!.metadata?.uid;
    await retrying('deleting pod bare', () => t.kube.core.deleteNamespacedPod({ name: 'bare', namespace: t.ns }));
    const statesSeen = { count: 0 };
    // The check the ReplicaSet case passes, asked of the bare pod (no owner): back at 1 Ready pod, a new one among them.
    const replaced = replacedUpTo(1, controllerUid(pod!), new Set(['bare']));
    const { value: remaining } = await consistently({
      ...pods(t.kube, t.ns, { labelSelector: selector('bare') }),
      description: `no pod to replace the deleted bare pod within ${NOT_REPLACED_WINDOW_MS / 1000} s`,
      predicate: (items) => {
        statesSeen.count++;
        const outcome = replaced(items);
        // The deleted pod itself may still be terminating on a busy node: it is not a replacement.
        return 'done' in outcome && outcome.done ? { done: false, note: `replaced by ${names(outcome.value).join(', ')}` }
          : { done: true, value: { replacements: items.filter((p) => p.metadata?.uid !== uid).length, deletedStillThere: items.length, check: 'note' in outcome ? outcome.note : '' } };
      },
      windowMs: NOT_REPLACED_WINDOW_MS,
    });
    Object.assign(seen, { windowSeconds: NOT_REPLACED_WINDOW_MS / 1000, statesSeen: statesSeen.count, replacementsAtWindowEnd: remaining?.replacements,
      deletedPodStillTerminatingAtWindowEnd: remaining?.deletedStillThere === 1, replacedCheckAtWindowEnd: remaining?.check });
    // Nothing took the deleted pod's place, throughout the window.
    expect(remaining?.replacements).toBe(0);
  }));
});

test(`deleting one pod of a ${REPLICAS}-replica ReplicaSet yields a new pod (new name and uid) and the ready count returns to ${REPLICAS}`,
  () => heal);

test(`a pod created by hand with the ReplicaSet's labels is adopted and the surplus pod removed, back to ${REPLICAS}`,
  () => adopt);

test(`a bare pod (no controller) that is deleted is not replaced within ${NOT_REPLACED_WINDOW_MS / 1000} s: the replacement check the ReplicaSet passes fails throughout`,
  () => bare);
