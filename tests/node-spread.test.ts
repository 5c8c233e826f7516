import type { V1Pod } from '@kubernetes/client-node';
import { placementHeld, placementOf, type Placement, type PlacementExpectation } from '../lib/checks/index.ts';
import {
  ANTI_AFFINITY, awaitFailedScheduling, consistently, cordon, nodeLevelUnavailable, currentRun, holdsAsOutcome, pods, retrying,
  runCase, schedulableWorkers, TOPOLOGY_SPREAD, uncordon, useNodeLevel, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Scheduling spreads pods over nodes as their constraints say';

// Node-level: the spread cases cordon a node, so the file runs after every other file and alone (lib/kit/node-level.ts).
useNodeLevel(__filename);
const t = useTestNamespace('node-spread');

// The scheduler retries an unschedulable pod with a back-off of at most 10 s (podMaxBackoffSeconds): a window of
// twice that spans its retries twice over; the Pending pods are watched, not glanced at, throughout.
const WINDOW_MS = 20_000;
const SETTLE_MS = 60_000;

const skip = nodeLevelUnavailable(currentRun());
const nodeTest = skip ? test.skip : test;
const note = skip ? ` (${skip})` : '';

const selector = (name: string): string => `app.kubernetes.io/name=${name}`;
const spread = (name: string, when: 'DoNotSchedule' | 'ScheduleAnyway'): string => JSON.stringify([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname',
  whenUnsatisfiable: when, labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } } }]);
const antiAffinity = (name: string, required: boolean): string => {
  const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } } };
  return JSON.stringify(required ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] });
};

/** The nodes ordinary pods can go to; the cases need two at least (one to cordon, one to keep). */
async function workers(): Promise<string[]> {
  const found = schedulableWorkers((await retrying('listing nodes', () => t.kube.core.listNode())).items);
  if (found.length < 2) throw new Error(`these cases need two schedulable worker nodes, the cluster has ${found.length} (${found.join(', ') || 'none'}): run with WC_NODES=3`);
  return found;
}

async function deploy(name: string, replicas: number, spreadJson: string, antiAffinityJson: string): Promise<void> {
  await t.apply('node-placement.yaml', { NAME: name, REPLICAS: String(replicas), SPREAD_JSON: spreadJson, POD_ANTI_AFFINITY_JSON: antiAffinityJson });
}

/** Waits until the placement holds, then watches that it keeps holding over the window; returns what it saw. */
async function placementKept(name: string, expected: PlacementExpectation): Promise<Placement> {
  const check = placementHeld(expected);
  await waitFor({ ...pods(t.kube, t.ns, { labelSelector: selector(name) }), description: `${name}'s placement: ${expected.pending} Pending for ${typeof expected.cause === 'string' ? expected.cause : expected.cause.name}`,
    predicate: (items: V1Pod[]) => holdsAsOutcome(check(items)), timeoutMs: SETTLE_MS });
  const held = await consistently({ ...pods(t.kube, t.ns, { labelSelector: selector(name) }), description: `${name}'s placement held`,
    predicate: (items: V1Pod[]) => holdsAsOutcome(check(items)), windowMs: WINDOW_MS });
  return held.value as Placement;
}

/** Every pod bound (none Pending), as the scheduler leaves them once it could place them all. */
async function allBound(name: string, replicas: number): Promise<Placement> {
  const items = await waitFor({ ...pods(t.kube, t.ns, { labelSelector: selector(name) }), description: `all ${replicas} pods of ${name} bound to nodes`,
    predicate: (list: V1Pod[]) => {
      const p = placementOf(list);
      const bound = Object.values(p.byNode).flat().length;
      return bound === replicas && !p.pending.length ? { done: true, value: list } : { done: false, note: `${bound} bound, ${p.pending.length} Pending` };
    }, timeoutMs: SETTLE_MS });
  return placementOf(items);
}

/** The placement check on a placement that must not meet it: a failure is what the control shows. */
function failsOn(expected: PlacementExpectation, items: V1Pod[]): string {
  const verdict = placementHeld(expected)(items);
  if (verdict.holds) throw new Error(`the check passed the control: ${JSON.stringify(verdict.value)}`);
  return verdict.reason;
}

async function withCordon<T>(node: string, body: () => Promise<T>): Promise<T> {
  await cordon(t.kube, node, t.run.runId);
  try {
    return await body();
  } finally {
    await uncordon(t.kube, node, t.run.runId);
  }
}

nodeTest(`with one worker cordoned, a Deployment of one pod more than the workers, spread with maxSkew 1 over kubernetes.io/hostname and DoNotSchedule, leaves the pods that would break the skew Pending (Unschedulable, FailedScheduling naming the spread constraint) throughout a watched ${WINDOW_MS / 1000} s window; once the worker is uncordoned they schedule onto it${note}`, async () => {
  await runCase(BEHAVIOUR, 'topology spread, DoNotSchedule, one worker cordoned', async (seen) => {
    const nodes = await workers();
    const cordoned = nodes.at(-1)!;
    const replicas = nodes.length + 1;
    // Each schedulable worker takes one; the cordoned one still counts in the skew (nodeTaintsPolicy Ignore) at 0.
    const expected: PlacementExpectation = { pending: 2, cause: TOPOLOGY_SPREAD, maxPerNode: 1 };
    const held = await withCordon(cordoned, async () => {
      await deploy('spread', replicas, spread('spread', 'DoNotSchedule'), '{}');
      const placement = await placementKept('spread', expected);
      const event = await awaitFailedScheduling(t, placement.pending[0]!, TOPOLOGY_SPREAD);
      Object.assign(seen, { workers: nodes, cordoned, replicas, whileCordoned: placement, failedScheduling: event.message });
      return placement;
    });
    expect(held.byNode[cordoned]).toBeUndefined();
    const after = await allBound('spread', replicas);
    Object.assign(seen, { afterUncordon: after.byNode });
    expect(after.byNode[cordoned]?.length).toBeGreaterThanOrEqual(1);
  });
}, 5 * 60_000);

nodeTest(`negative control: the same Deployment with ScheduleAnyway, the same worker cordoned, has every pod scheduled onto the other workers, and the same spread check fails on it${note}`, async () => {
  await runCase(BEHAVIOUR, 'control: topology spread, ScheduleAnyway, one worker cordoned', async (seen) => {
    const nodes = await workers();
    const cordoned = nodes.at(-1)!;
    const replicas = nodes.length + 1;
    await withCordon(cordoned, async () => {
      await deploy('spread-anyway', replicas, spread('spread-anyway', 'ScheduleAnyway'), '{}');
      const placement = await allBound('spread-anyway', replicas);
      const items = (await retrying('listing pods', () => t.kube.core.listNamespacedPod({ namespace: t.ns, labelSelector: selector('spread-anyway') }))).items;
      const failure = failsOn({ pending: 2, cause: TOPOLOGY_SPREAD, maxPerNode: 1 }, items);
      Object.assign(seen, { workers: nodes, cordoned, replicas, placement: placement.byNode, checkFailure: failure });
      expect(placement.byNode[cordoned]).toBeUndefined();
    });
  });
}, 5 * 60_000);

nodeTest(`a Deployment of one pod more than the workers with required pod anti-affinity over kubernetes.io/hostname runs one pod per worker and leaves the surplus Pending (Unschedulable, FailedScheduling naming the anti-affinity rule) throughout a watched ${WINDOW_MS / 1000} s window${note}`, async () => {
  await runCase(BEHAVIOUR, 'required pod anti-affinity', async (seen) => {
    const nodes = await workers();
    const replicas = nodes.length + 1;
    await deploy('apart', replicas, '[]', antiAffinity('apart', true));
    const placement = await placementKept('apart', { pending: 1, cause: ANTI_AFFINITY, maxPerNode: 1 });
    const event = await awaitFailedScheduling(t, placement.pending[0]!, ANTI_AFFINITY);
    Object.assign(seen, { workers: nodes, replicas, placement, failedScheduling: event.message });
    expect(Object.keys(placement.byNode).sort()).toEqual(nodes);
  });
}, 5 * 60_000);

nodeTest(`negative control: the same Deployment with preferred (not required) anti-affinity has every pod scheduled, two sharing a worker, and the same anti-affinity check fails on it${note}`, async () => {
  await runCase(BEHAVIOUR, 'control: preferred pod anti-affinity', async (seen) => {
    const nodes = await workers();
    const replicas = nodes.length + 1;
    await deploy('apart-preferred', replicas, '[]', antiAffinity('apart-preferred', false));
    const placement = await allBound('apart-preferred', replicas);
    const items = (await retrying('listing pods', () => t.kube.core.listNamespacedPod({ namespace: t.ns, labelSelector: selector('apart-preferred') }))).items;
    const failure = failsOn({ pending: 1, cause: ANTI_AFFINITY, maxPerNode: 1 }, items);
    Object.assign(seen, { workers: nodes, replicas, placement: placement.byNode, checkFailure: failure });
  });
}, 5 * 60_000);
