import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { CheckVerdict, EvictionVerdict, NodeLossEvidence } from '../lib/checks/index.ts';
import { DEFAULT_TIMERS, evictedAndReplaced, nodeMarkedUnreachable, notReplacedWhileUnreachable } from '../lib/checks/index.ts';
import type { PodSighting, RunContext } from '../lib/kit/index.ts';
import {
  awaitNodeBack, awaitNodeUnreachable, awaitStatefulSetReady, consistently, currentRun, deploymentRolledOut, deployments,
  healthyWorkers, pods, recordPods, recordPodsFor, retrying, runCase, startCase, startNodeContainer, stopNodeContainer,
  NODE_LEVEL_MIN_WORKERS, useNodeLevel, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

// This file stops a worker: every other file on the cluster loses that node too. The suite runs tests/node-*.test.ts
// after all others, alone (lib/kit/node-level.ts).
const BEHAVIOUR = 'A lost node\'s pods are evicted and replaced, a StatefulSet\'s are not';
useNodeLevel(__filename);
const t = useTestNamespace('node-loss');

const TOLERATION_SECONDS = 10; // manifests/node-loss.yaml, evicted and identity
const DEFAULT_TOLERATION_SECONDS = 300; // the DefaultTolerationSeconds admission plugin's, given to stays
const { monitorGracePeriodMs, monitorPeriodMs } = DEFAULT_TIMERS;
// Evicted and replaced: the grace period and a monitor period to the taint, the toleration, then 30 s for the
// scheduler and the kubelet on the other worker to start the replacement on a busy machine.
const WITHIN_MS = monitorGracePeriodMs + monitorPeriodMs + TOLERATION_SECONDS * 1000 + 30_000;
// The StatefulSet's pod is watched from the taint for its toleration and 40 s more: well past its eviction.
const IDENTITY_WINDOW_MS = TOLERATION_SECONDS * 1000 + 40_000;
// Every pod of the namespace is recorded from the stop to here (past WITHIN_MS, and past the identity window at
// the latest taint the unreachable check accepts), then the node is started again.
const RECORD_MS = 120_000;
const BACK_TIMEOUT_MS = 180_000;

function runOrUndefined(): RunContext | undefined {
  try {
    return currentRun();
  } catch {
    return undefined; // loaded outside a run: the cases run and fail saying what is missing
  }
}

// Only a node that is a container of this machine's Docker engine can be stopped and started by this process; on any
// other cluster the file is skipped, and every title says why (so does JUnit).
const run = runOrUndefined();
// It stops no node it cannot start again, and needs a second worker for the evicted pod's replacement.
const fewWorkers = run !== undefined && (run.workers ?? []).length < NODE_LEVEL_MIN_WORKERS;
const shared = run !== undefined && (run.otherRuns ?? []).length > 0;
const skipped = run !== undefined && (!run.nodeContainersHere || fewWorkers || shared);
const note = !skipped ? '' : shared ? ` (SKIPPED: run(s) ${run.otherRuns!.join(', ')} used this cluster at this run's start; a lost node takes every pod on it)`
  : !run.nodeContainersHere
  ? ' (SKIPPED: the nodes are not containers of this machine\'s Docker engine — not a kind cluster here — so no node can be stopped and started again)'
  : ` (SKIPPED: the cluster had ${(run.workers ?? []).length} schedulable worker(s) at the run's start; a lost node's pods need another: WC_NODES=3)`;
const maybe = skipped ? test.skip : test;

interface Placed { name: string; uid: string; node: string }
interface Scene {
  node: string;
  others: string[];
  addressBefore?: string;
  placed: Record<'evicted' | 'stays' | 'identity', Placed>;
  evidence: NodeLossEvidence;
  sightings: PodSighting[];
  identity: { held: boolean; violation?: string; observations: number; windowMs: number; last: PodSighting[] };
  back: { readyAfterMs: number; addressAfter?: string };
}

const internalIp = (node: V1Node): string | undefined => node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
const sightingsOf = (items: V1Pod[], nowMs: number): PodSighting[] => {
  const map = new Map<string, PodSighting>();
  recordPods(map, items, nowMs);
  return [...map.values()];
};

async function placeWorkloads(node: string): Promise<Scene['placed']> {
  await t.apply('node-loss.yaml', { NODE: node });
  await Promise.all(['evicted', 'stays'].map((name) => waitFor({ ...deployments(t.kube, t.ns, { name }),
    description: `Deployment ${name} to have its pod Ready`, predicate: deploymentRolledOut(), timeoutMs: 120_000 })));
  await awaitStatefulSetReady(t, 'identity', 1, 120_000);
  const listed = await retrying('listing the pods', () => t.kube.core.listNamespacedPod({ namespace: t.ns }));
  const placed = Object.fromEntries(['evicted', 'stays', 'identity'].map((app) => {
    const pod = listed.items.find((p) => p.metadata?.labels?.['app.kubernetes.io/name'] === app && !p.metadata?.deletionTimestamp);
    return [app, { name: pod?.metadata?.name ?? '', uid: pod?.metadata?.uid ?? '', node: pod?.spec?.nodeName ?? '' }];
  })) as Scene['placed'];
  const elsewhere = Object.values(placed).filter((p) => p.node !== node);
  if (elsewhere.length) {
    throw new Error(`the preferred node affinity did not place every pod on ${node}: ${elsewhere.map((p) => `${p.name} on ${p.node || '(none)'}`).join(', ')}`);
  }
  return placed;
}

/** Stops a worker holding the three workloads, watches for RECORD_MS, and starts it again whatever happened. */
async function loseANode(): Promise<Scene> {
  const run = t.run;
  const workers = healthyWorkers((await retrying('listing the nodes', () => t.kube.core.listNode())).items);
  // One worker to lose, one for the replacement to land on; the control plane is never stopped.
  if (workers.length < 2) throw new Error(`node loss needs two Ready, untainted workers besides the control plane; this cluster has ${workers.length} (${workers.join(', ') || 'none'})`);
  const [node, ...others] = workers as [string, ...string[]];
  const addressBefore = internalIp(await retrying(`reading node ${node}`, () => t.kube.core.readNode({ name: node })));
  const placed = await placeWorkloads(node);

  const recording = recordPodsFor(t, RECORD_MS);
  const stopIssuedAtMs = Date.now();
  await stopNodeContainer(run.reportsDir, { node, runId: run.runId, ...(run.clusterName ? { clusterName: run.clusterName } : {}) }, undefined, t.kube);
  const stoppedAtMs = Date.now();
  let evidence: NodeLossEvidence = { node, stopIssuedAtMs, stoppedAtMs, observedUntilMs: stoppedAtMs };
  let identity: Scene['identity'] | undefined;
  let sightings: PodSighting[] | undefined;
  let back: Scene['back'] | undefined;
  try {
    try {
      const marks = await awaitNodeUnreachable(t, node, monitorGracePeriodMs + monitorPeriodMs + 30_000);
      evidence = { ...evidence, ...marks, observedUntilMs: Date.now() };
    } catch (err) {
      evidence = { ...evidence, observedUntilMs: Date.now() };
      throw err;
    }
    let last: PodSighting[] = [];
    try {
      const held = await consistently({
        ...pods(t.kube, t.ns, { labelSelector: 'app.kubernetes.io/name=identity' }),
        description: `StatefulSet identity's pod on the lost node ${node} not to be replaced for ${IDENTITY_WINDOW_MS / 1000} s after the taint`,
        windowMs: IDENTITY_WINDOW_MS,
        predicate: (items) => {
          last = sightingsOf(items, Date.now());
          const verdict = notReplacedWhileUnreachable({ original: placed.identity, pods: last });
          return verdict.passed ? { done: true, value: undefined } : { done: false, note: verdict.failures.join('; ') };
        },
      });
      identity = { held: true, observations: held.observations, windowMs: IDENTITY_WINDOW_MS, last };
    } catch (err) {
      identity = { held: false, violation: (err instanceof Error ? err.message : String(err)).split('\n')[0], observations: 0, windowMs: IDENTITY_WINDOW_MS, last };
    }
    sightings = [...(await recording).values()];
    evidence = { ...evidence, observedUntilMs: Date.now() };
  } finally {
    // The node comes back even when a step above failed; the node controller itself removes its taints once Ready.
    const startedAtMs = Date.now();
    await startNodeContainer(run.reportsDir, node, undefined, { kube: t.kube, runId: run.runId });
    const ready = await awaitNodeBack(t, node, BACK_TIMEOUT_MS);
    back = { readyAfterMs: Date.now() - startedAtMs, ...(internalIp(ready) ? { addressAfter: internalIp(ready)! } : {}) };
  }
  return { node, others, ...(addressBefore ? { addressBefore } : {}), placed, evidence, sightings: sightings!, identity: identity!, back };
}

let scene: Promise<Scene>;

beforeAll(() => {
  if (!skipped) scene = startCase(loseANode);
});

/** The eviction evidence of one workload: its placed pod, and every other pod of it seen while the node was lost. */
function evictionOf(s: Scene, app: keyof Scene['placed']): Parameters<typeof evictedAndReplaced>[0] {
  const mine = s.sightings.filter((p) => p.app === app);
  const original = mine.find((p) => p.uid === s.placed[app].uid);
  if (!original) throw new Error(`pod ${s.placed[app].name} of ${app} was not seen by the recording`);
  return { node: s.node, lostAtMs: s.evidence.stopIssuedAtMs, ...(s.evidence.taintedAtMs ? { taintedAtMs: s.evidence.taintedAtMs } : {}),
    observedUntilMs: s.evidence.observedUntilMs, original, others: mine.filter((p) => p !== original) };
}

const secondsAfter = (fromMs: number, atMs: number | undefined): number | undefined =>
  atMs === undefined ? undefined : Math.round((atMs - fromMs) / 100) / 10;
const report = (v: CheckVerdict): Record<string, unknown> => ({ passed: v.passed, failures: v.failures });

maybe(`a stopped worker is marked not Ready once node-monitor-grace-period (${monitorGracePeriodMs / 1000} s) passes without a heartbeat, and tainted node.kubernetes.io/unreachable:NoExecute within a monitor period (${monitorPeriodMs / 1000} s)${note}`, async () => {
  await runCase(BEHAVIOUR, 'node marked unreachable', async (seen) => {
    const s = await scene;
    const e = s.evidence;
    const verdict = nodeMarkedUnreachable(e);
    // Every time from the stop issued: the kubelet dies as it begins (docker stop then waits out its 10 s for the node's
    // systemd before it kills the container: stopTookSeconds).
    Object.assign(seen, { node: s.node, stopTookSeconds: secondsAfter(e.stopIssuedAtMs, e.stoppedAtMs), readyStatus: e.readyStatus,
      notReadyAfterSeconds: secondsAfter(e.stopIssuedAtMs, e.notReadyAtMs), taintedAfterSeconds: secondsAfter(e.stopIssuedAtMs, e.taintedAtMs),
      monitorGracePeriodSeconds: monitorGracePeriodMs / 1000, monitorPeriodSeconds: monitorPeriodMs / 1000, check: report(verdict) });
    expect(verdict.failures).toEqual([]);
    expect(['Unknown', 'False']).toContain(e.readyStatus);
  });
});

maybe(`a Deployment pod tolerating an unreachable node for ${TOLERATION_SECONDS} s is evicted once that runs out after the taint, and a replacement is Ready on another worker within ${WITHIN_MS / 1000} s of the stop${note}`, async () => {
  await runCase(BEHAVIOUR, `evicted after tolerationSeconds ${TOLERATION_SECONDS} and replaced`, async (seen) => {
    const s = await scene;
    const evidence = evictionOf(s, 'evicted');
    const verdict: EvictionVerdict = evictedAndReplaced(evidence, WITHIN_MS);
    Object.assign(seen, { node: s.node, pod: evidence.original.name, tolerationSeconds: evidence.original.unreachableTolerationSeconds,
      podNotReadyAfterSeconds: secondsAfter(s.evidence.stopIssuedAtMs, evidence.original.notReadyAtMs),
      evictedAfterSeconds: secondsAfter(s.evidence.stopIssuedAtMs, evidence.original.deletionSeenAtMs),
      evictedAfterTaintSeconds: s.evidence.taintedAtMs === undefined ? undefined : secondsAfter(s.evidence.taintedAtMs, evidence.original.deletionSeenAtMs),
      replacement: verdict.replacement && { ...verdict.replacement, readyAfterSeconds: verdict.replacement.readyAfterMs / 1000 },
      withinSeconds: WITHIN_MS / 1000, check: report(verdict) });
    expect(verdict.failures).toEqual([]);
    expect(verdict.replacement?.node).not.toBe(s.node);
  });
});

maybe(`control: a Deployment pod with the default ${DEFAULT_TOLERATION_SECONDS} s toleration stays bound to the lost node, not evicted, through the ${RECORD_MS / 1000} s watched: the same evicted-and-replaced check fails on it${note}`, async () => {
  await runCase(BEHAVIOUR, `control: default toleration ${DEFAULT_TOLERATION_SECONDS} s`, async (seen) => {
    const s = await scene;
    const evidence = evictionOf(s, 'stays');
    const verdict = evictedAndReplaced(evidence, WITHIN_MS);
    Object.assign(seen, { node: s.node, pod: evidence.original.name, tolerationSeconds: evidence.original.unreachableTolerationSeconds,
      watchedSeconds: secondsAfter(s.evidence.stopIssuedAtMs, s.evidence.observedUntilMs), podsCreatedMeanwhile: evidence.others.map((p) => p.name),
      check: report(verdict) });
    // The API server gave it the default tolerations; within the window nothing evicted or replaced it.
    expect(evidence.original.unreachableTolerationSeconds).toEqual([DEFAULT_TOLERATION_SECONDS]);
    expect(evidence.original.node).toBe(s.node);
    expect(evidence.original.deletionSeenAtMs).toBeUndefined();
    expect(evidence.others).toEqual([]);
    expect(verdict.passed).toBe(false);
    expect(verdict.failures).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^pod ${evidence.original.name} was not evicted`)),
      expect.stringMatching(/^no replacement of pod .* \(no other pod was created\)$/)]));
  });
});

maybe(`a StatefulSet pod on the lost node is evicted but not replaced while the node is unreachable: it stays Terminating, its name taken, and no other pod is created, for ${IDENTITY_WINDOW_MS / 1000} s after the taint; the same check fails on the Deployment, whose pod was replaced${note}`, async () => {
  await runCase(BEHAVIOUR, 'StatefulSet: at most one pod per identity', async (seen) => {
    const s = await scene;
    const pod = s.identity.last.find((p) => p.uid === s.placed.identity.uid);
    // The Deployment's pods at the end of the recording, under the same check: its replacement takes the place.
    const control = notReplacedWhileUnreachable({ original: s.placed.evicted, pods: s.sightings.filter((p) => p.app === 'evicted' && p.present) });
    Object.assign(seen, { node: s.node, pod: s.placed.identity, windowSeconds: s.identity.windowMs / 1000, held: s.identity.held,
      violation: s.identity.violation, observations: s.identity.observations,
      evictedAfterTaintSeconds: s.evidence.taintedAtMs === undefined ? undefined : secondsAfter(s.evidence.taintedAtMs, pod?.deletionSeenAtMs),
      terminatingAtWindowEnd: pod?.terminating, podsAtWindowEnd: s.identity.last.map((p) => `${p.name} ${p.uid} on ${p.node}`),
      deploymentUnderTheSameCheck: report(control) });
    expect(s.identity.violation).toBeUndefined();
    expect(s.identity.held).toBe(true);
    expect(pod?.terminating).toBe(true);
    expect(s.identity.last).toHaveLength(1);
    expect(control.passed).toBe(false);
    expect(control.failures).toEqual([expect.stringMatching(new RegExp(`takes the place of ${s.placed.evicted.name} on the lost node`))]);
  });
});

maybe(`the stopped node, started again, turns Ready and the node controller removes its unreachable taint within ${BACK_TIMEOUT_MS / 1000} s${note}`, async () => {
  await runCase(BEHAVIOUR, 'node back', async (seen) => {
    const s = await scene;
    Object.assign(seen, { node: s.node, readyAfterStartSeconds: s.back.readyAfterMs / 1000, addressBefore: s.addressBefore, addressAfter: s.back.addressAfter });
    expect(s.back.readyAfterMs).toBeLessThan(BACK_TIMEOUT_MS);
  });
});
