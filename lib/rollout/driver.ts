// The rolling-update check: deploy version A, put load on it, roll to version B while the load runs,
// wait until the rollout is complete, the old pods are gone and the traffic has moved, then stop the
// load and collect the ledger, the pod timeline and the old pods' termination verdicts.
import { setTimeout as sleep } from 'node:timers/promises';
import { PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import { deploymentRolledOut, statefulSetReady } from '../kit/conditions.ts';
import { listEvents } from '../kit/events.ts';
import type { Kube } from '../kit/kube.ts';
import { pollUntil, PollTimeoutError } from '../kit/poll.ts';
import { deployments, statefulSets } from '../kit/sources.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { abandonWaits, waitFor } from '../kit/wait.ts';
import { WINDOW_TAIL_MS } from './load-rule.ts';
import { resolveAnswer, resolveAnswers, type Identity } from './ledger/resolve.ts';
import type { RawLedger } from './ledger/types.ts';
import type { LoadSettings, LoadSource } from './load/source.ts';
import { judgeTermination, type GracefulVerdict } from './graceful.ts';
import { PodObserver, type PodEvent } from '../kit/pod-observer.ts';
import { NAME_LABEL, VERSION_LABEL, type WorkloadSpec } from './spec.ts';
import { describeProgress, minTotal, trafficMoved } from './traffic.ts';
import { manifestVars, versionPatch } from './workload.ts';
import { NODE_PORT } from './constants.ts';
import { awaitNodePortFree, NODE_PORT_WAIT_MS, portAlreadyAllocated } from './node-port.ts';
import { HarnessError } from '../kit/errors.ts';

export interface RolloutEnv {
  kube: Kube;
  ns: string;
  /** Creates the objects of a manifest file in the namespace (the fixture's `apply`). */
  apply(file: string, vars: Record<string, string>): Promise<unknown>;
  /** Starts the load once the workload serves; decides where it runs (host or in-cluster pod). */
  startLoad(settings: Omit<LoadSettings, 'target'>, service: RolloutService): Promise<LoadSource>;
  /** The Service's NodePort: NODE_PORT unless said (kind maps it on the host), or 0 for one the API allocates. */
  nodePort?: number;
  log?: (line: string) => void;
}

/** The workload's Service as created: its name and the NodePort it holds (the allocated one when it asked for 0). */
export interface RolloutService {
  name: string;
  nodePort: number;
}

export interface LoadPlan extends Omit<LoadSettings, 'target' | 'path' | 'identify'> {
  /** Keep the load on until every mode has sent at least this many requests. */
  minRequestsPerMode: number;
  /** Requests per mode before the rollout starts, so the "before" is measured too. */
  warmupRequestsPerMode: number;
  /** How many most recent answers per mode must all come from the new version. */
  movedTailSize: number;
  /** The load rule's send-gap bound, ms (load-rule.ts). */
  maxSendGapMs: number;
}

/** Instants on the ledger's time axis (ms since the ledger epoch). */
export interface Phases {
  patchedAt: number;
  rolledOutAt: number;
  oldPodsGoneAt: number;
  /** When the last answers of every mode came from the new version; absent when they never did (the verdict says so). */
  trafficMovedAt?: number;
  loadStoppedAt: number;
  /** The rollout window the load rule judges: from the patch to the last old pod gone plus WINDOW_TAIL_MS. */
  windowStartAt: number;
  windowEndAt: number;
}

/** A moment the disruption marks on the timeline (a cordon, an eviction granted or refused), on the ledger's axis. */
export interface DisruptionMark {
  at: number;
  label: string;
}

export interface RolloutRun {
  /** What was done under load: a rolling update (the version patch) or a drain. */
  disruption: string;
  /** The disruption's own moments, beside the phases (a drain's cordon and evictions). */
  marks: DisruptionMark[];
  spec: WorkloadSpec;
  plan: LoadPlan;
  loadWhere: 'host' | 'pod';
  /**
   * Whether each answer names the pod that sent it (the reference workloads' /hostname), so the traffic's move to the
   * end version is judged; a workload the harness did not write answers as it likes, and only its failures count.
   */
  attributed: boolean;
  ledger: RawLedger;
  phases: Phases;
  podEvents: PodEvent[];
  oldPods: GracefulVerdict[];
  /** The disruption's own evidence (DisruptionDone.evidence). */
  evidence?: Record<string, unknown>;
}

const MANIFEST = 'rollout-workload.yaml';
const PDB_MANIFEST = 'rollout-pdb.yaml';

const logOf = (env: Pick<RolloutEnv, 'log'>) => env.log ?? ((line: string) => void process.stderr.write(`${line}\n`));

/**
 * Waits for the Deployment to roll out, failing at once (with the pod's reason) when one of its pods
 * cannot pull, crash-loops or cannot be scheduled, as the observer watching the pods reports.
 */
async function waitRolledOut(env: Pick<RolloutEnv, 'kube' | 'ns' | 'log'>, spec: WorkloadSpec, generation: number, description: string,
  timeoutMs: number, observer?: PodObserver) {
  const rolled = waitFor({ ...deployments(env.kube, env.ns, { name: spec.name }), description, predicate: deploymentRolledOut(generation), timeoutMs, log: logOf(env) });
  if (!observer) return void await rolled;
  const trouble = observer.troubleSeen().then((reason) => reason);
  const first = await Promise.race([rolled.then(() => undefined), trouble]);
  if (first !== undefined) {
    abandonWaits(`a pod of ${spec.name} cannot run`);
    await rolled.catch(() => undefined);
    throw new Error(`${description}: a pod of ${spec.name} cannot run, so the rollout cannot complete — ${first}`);
  }
}

/**
 * Creates the workload's Service and Deployment. A fixed NodePort is waited for while another run of this suite holds
 * it (node-port.ts), and again if one took it between that wait and the create (the API's 422), within one bound.
 */
async function createWorkload(env: Pick<RolloutEnv, 'kube' | 'ns' | 'apply' | 'log' | 'nodePort'>, spec: WorkloadSpec): Promise<RolloutService> {
  const wanted = env.nodePort ?? NODE_PORT;
  const since = Date.now();
  const deadline = since + NODE_PORT_WAIT_MS;
  for (;;) {
    if (wanted) await awaitNodePortFree(env.kube, wanted, logOf(env), Math.max(1000, deadline - Date.now()), since);
    try {
      await env.apply(MANIFEST, manifestVars(spec, wanted));
      break;
    } catch (err) {
      if (!wanted || !portAlreadyAllocated(err)) throw err;
      if (Date.now() >= deadline) {
        throw new HarnessError('creating the rollout workload', `the API says NodePort ${wanted} is allocated, though no Service ` +
          `listed holds it, ${Math.round((Date.now() - since) / 1000)} s after this case first asked for it`,
          `run the rolling-update behaviour again; if it says so again, the cluster's NodePort allocator has leaked ${wanted}`);
      }
      logOf(env)(`NodePort ${wanted} was taken between the check and the create: waiting for it again`);
      await sleep(1000);
    }
  }
  if (spec.minAvailable !== undefined) await env.apply(PDB_MANIFEST, { NAME: spec.name, MIN_AVAILABLE: String(spec.minAvailable) });
  const service = await env.kube.core.readNamespacedService({ name: spec.name, namespace: env.ns });
  const nodePort = service.spec?.ports?.[0]?.nodePort;
  if (!nodePort) throw new Error(`Service ${spec.name} was created without a NodePort`);
  if (!wanted) logOf(env)(`Service ${spec.name}: NodePort ${nodePort}, allocated by the API`);
  return { name: spec.name, nodePort };
}

/** Creates the workload at its first version and waits until every replica is available. */
export async function deployWorkload(env: Pick<RolloutEnv, 'kube' | 'ns' | 'apply' | 'log' | 'nodePort'>, spec: WorkloadSpec, observer?: PodObserver,
  timeoutMs: number = TIMEOUTS.rollout): Promise<RolloutService> {
  const service = await createWorkload(env, spec);
  await waitRolledOut(env, spec, 1, `${spec.name} ${spec.from.name}: ${spec.replicas} replicas available`, timeoutMs, observer);
  return service;
}

/**
 * What the load and the disruption act on: a workload serving behind a Service, deployed by the driver (the reference
 * workloads) or by someone else (the audit applies the user's objects). `spec` describes it for the report; its
 * versions are what `versionOf` reads from a pod (the reference's version label, or the controller's own hash).
 */
export interface UnderLoadTarget {
  spec: WorkloadSpec;
  kind: 'Deployment' | 'StatefulSet';
  /** Its pods' label selector (the API's query string). */
  selector: string;
  versionOf(pod: V1Pod): string | undefined;
  service: RolloutService;
  /** Whether an answer names its pod (identify), so the last answers' version is judged (RolloutRun.attributed). */
  attributed: boolean;
}

/** The reference workload `spec` as the driver deploys it: its pods by name label, its versions by the version label. */
export function referenceTarget(spec: WorkloadSpec, service: RolloutService): UnderLoadTarget {
  return { spec, kind: 'Deployment', selector: `${NAME_LABEL}=${spec.name}`, versionOf: (pod) => pod.metadata?.labels?.[VERSION_LABEL], service, attributed: true };
}

/** Waits until the target's controller has every replica ready on its current template (after a change or an eviction). */
export async function waitWhole(ctx: Pick<DisruptionContext, 'kube' | 'ns' | 'log' | 'timeoutMs'>, target: Pick<UnderLoadTarget, 'spec' | 'kind'>,
  description: string): Promise<void> {
  const { kube, ns } = ctx;
  const name = target.spec.name;
  if (target.kind === 'StatefulSet') {
    return void await waitFor({ ...statefulSets(kube, ns, { name }), description, predicate: statefulSetReady(target.spec.replicas), timeoutMs: ctx.timeoutMs, log: ctx.log });
  }
  const deployment = await kube.apps.readNamespacedDeployment({ name, namespace: ns });
  await waitFor({ ...deployments(kube, ns, { name }), description, predicate: deploymentRolledOut(deployment.metadata?.generation ?? 1), timeoutMs: ctx.timeoutMs, log: ctx.log });
}

/** What the disruption may use while it runs: the cluster, the pods as watched, and the ledger's time axis. */
export interface DisruptionContext {
  kube: Kube;
  ns: string;
  observer: PodObserver;
  onAxis(epochMs: number): number;
  /** Adds a moment to the timeline, now. */
  mark(label: string): void;
  log(line: string): void;
  timeoutMs: number;
}

/** What the disruption did: its phases (ledger axis) and the pods it ended, whose terminations are judged. */
export interface DisruptionDone {
  /** When it began (the patch, the cordon). */
  startedAt: number;
  /** When the workload was whole again (rolled out; every evicted pod replaced and Ready). */
  settledAt: number;
  /** When the last pod it ended was gone. */
  endedPodsGoneAt: number;
  /** The pods it ended, by uid (a StatefulSet's replacement has the same name): the old version's, or the evicted ones. */
  endedPods: string[];
  /** The versions it moved between, when only the change itself tells them (a restart's new template hash). */
  versions?: { from: string; to: string };
  /** What it saw beside the requests, for the check's verdict (a drain's evictions granted at once). */
  evidence?: Record<string, unknown>;
}

/**
 * What a check does to the workload under load. The driver deploys it, starts the load, performs this, keeps the
 * load on through the window, and judges every pod it ended; the verdict asks the same of every disruption.
 */
export interface Disruption {
  /** For the log and the report: "rolling update v1 -> v2", "drain of node x". */
  describe: string;
  /** The version the last answers must come from (the new one for a rollout, the only one for a drain). */
  endVersion(spec: WorkloadSpec): string;
  perform(ctx: DisruptionContext, target: UnderLoadTarget): Promise<DisruptionDone>;
  /** Undoes what must not outlive the check (a cordon), pass or fail. */
  cleanUp?(ctx: Pick<DisruptionContext, 'kube' | 'log'>): Promise<void>;
}

/** The rolling update: the version patch, waited for until it rolled out and every old pod is gone. */
export const rollingUpdate: Disruption = {
  describe: 'rolling update',
  endVersion: (spec) => spec.to.name,
  async perform(ctx, { spec }) {
    const { kube, ns } = ctx;
    const patched = await kube.apps.patchNamespacedDeployment({ name: spec.name, namespace: ns, body: versionPatch(spec) });
    const startedAt = ctx.onAxis(Date.now());
    await waitRolledOut({ kube, ns, log: ctx.log }, spec, patched.metadata?.generation ?? 2, `${spec.name} rolled out to ${spec.to.name}`, ctx.timeoutMs, ctx.observer);
    const settledAt = ctx.onAxis(Date.now());
    await pollUntil({
      description: `every ${spec.from.name} pod gone`,
      probe: async () => ctx.observer.remaining(spec.from.name).map((p) => p.name),
      done: (left) => left.length === 0,
      timeoutMs: ctx.timeoutMs,
      intervalMs: 100,
    });
    const endedPods = [...ctx.observer.pods.entries()].filter(([, p]) => p.version === spec.from.name).map(([uid]) => uid);
    return { startedAt, settledAt, endedPodsGoneAt: ctx.onAxis(Date.now()), endedPods };
  },
};

export async function runRollout(env: RolloutEnv, spec: WorkloadSpec, plan: LoadPlan, timeoutMs: number = TIMEOUTS.rollout,
  disruption: Disruption = rollingUpdate): Promise<RolloutRun> {
  const observer = new PodObserver(env.kube, env.ns, `${NAME_LABEL}=${spec.name}`, (pod) => pod.metadata?.labels?.[VERSION_LABEL]);
  try {
    // Watching from before the workload exists: a pod that cannot run fails the check at once.
    await observer.start();
    const service = await deployWorkload(env, spec, observer, timeoutMs);
    return await underLoad(env, referenceTarget(spec, service), plan, disruption, { timeoutMs, observer });
  } finally {
    observer.stop();
    await removeWorkload(env.kube, env.ns, spec.name);
  }
}

/** Where a workload is put under load: the cluster, and how the load is started (host or in-cluster pod). */
export type UnderLoadEnv = Pick<RolloutEnv, 'kube' | 'ns' | 'startLoad' | 'log'>;

/**
 * The check's core, on a workload that already serves: start the load, perform the disruption, keep the load on
 * through its window (and, when answers are attributed, until the traffic moved to the end version), stop it, and
 * return the ledger, the phases and the ended pods' terminations. `observer` when the caller already watches the pods.
 */
export async function underLoad(env: UnderLoadEnv, target: UnderLoadTarget, plan: LoadPlan, disruption: Disruption,
  options: { timeoutMs?: number; observer?: PodObserver } = {}): Promise<RolloutRun> {
  const log = logOf(env);
  const { kube, ns } = env;
  const timeoutMs = options.timeoutMs ?? TIMEOUTS.rollout;
  const own = options.observer === undefined;
  const observer = options.observer ?? new PodObserver(kube, ns, target.selector, target.versionOf);
  const marks: DisruptionMark[] = [];
  let spec = target.spec;
  let load: LoadSource | undefined;
  try {
    if (own) await observer.start();
    const identity = (): Identity => ({ podVersions: observer.podVersions(), versions: [...new Set([spec.from.name, spec.to.name])] });
    const versionOf = (answer: string) => resolveAnswer(answer, identity()).version;
    load = await env.startLoad({ ...plan, path: spec.requestPath, identify: spec.identify }, target.service);
    const source = load;
    const until = (description: string, done: () => boolean) =>
      pollUntil({ description, probe: async () => source.progress(), done, show: describeProgress, timeoutMs, intervalMs: 100 });

    await until(`${plan.warmupRequestsPerMode} warm-up requests per mode`, () => minTotal(source.progress()) >= plan.warmupRequestsPerMode);
    // Before any disruption, a path that answers nothing with success is the load's fault, not the disruption's.
    const warm = Object.values(source.progress());
    if (warm.length && warm.every((m) => m && m.total > 0 && m.failed === m.total)) {
      throw new HarnessError('putting the workload under load', `every one of the warm-up requests to ${spec.requestPath} failed, before any disruption`,
        'the path must answer 2xx while the workload is healthy: give the audit --path (a page the app serves), or check the Service\'s port');
    }
    const onAxis = (epochMs: number) => epochMs - source.epochMs;

    log(`${disruption.describe} of ${spec.name} under load (${describeProgress(source.progress())})`);
    const done = await disruption.perform({ kube, ns, observer, onAxis, timeoutMs, log,
      mark: (label) => { marks.push({ at: onAxis(Date.now()), label }); } }, target);
    if (done.versions) spec = { ...spec, from: { ...spec.from, name: done.versions.from }, to: { ...spec.to, name: done.versions.to } };
    const endVersion = disruption.endVersion(spec);
    const windowEndAt = done.endedPodsGoneAt + WINDOW_TAIL_MS;
    await until(`the load to run through the disruption's window (${WINDOW_TAIL_MS} ms past the last ended pod)`, () => onAxis(Date.now()) >= windowEndAt);
    // Waited for, not forever: a client can stay stuck on something else (seen with an undrained workload: a
    // pooled keep-alive connection that had reached another test's pod through a stale kube-proxy rule kept
    // answering 404 for minutes). The ledger's tail then says "does not end on the new version", in the verdict.
    let trafficMovedAt: number | undefined;
    if (target.attributed) {
      const moved = await pollUntil({
        description: `the last ${plan.movedTailSize} answers of every mode from ${endVersion}`,
        probe: async () => source.progress(),
        done: () => trafficMoved(source.progress(), endVersion, versionOf, plan.movedTailSize),
        show: describeProgress,
        timeoutMs: TIMEOUTS.assert,
        intervalMs: 100,
      }).then(() => true, (err: unknown) => {
        if (err instanceof PollTimeoutError) return false;
        throw err;
      });
      if (!moved) log(`traffic did not move wholly to ${endVersion} within ${TIMEOUTS.assert / 1000} s: ${describeProgress(source.progress())}`);
      if (moved) trafficMovedAt = onAxis(Date.now());
    }
    await until(`${plan.minRequestsPerMode} requests per mode`, () => minTotal(source.progress()) >= plan.minRequestsPerMode);

    const raw = await source.stop();
    load = undefined;
    const loadStoppedAt = onAxis(Date.now());
    log(`load stopped: ${raw.records.length} requests`);
    const ledger = target.attributed ? { ...raw, records: resolveAnswers(raw.records, identity()) } : raw;
    const reasons = await eventReasonsByPod(kube, ns);
    const ended = new Set(done.endedPods);
    const oldPods = [...observer.pods.entries()].filter(([uid]) => ended.has(uid))
      .map(([uid, p]) => judgeTermination(p, reasons.get(uid)));
    return {
      disruption: disruption.describe,
      marks,
      spec,
      plan,
      loadWhere: source.where,
      attributed: target.attributed,
      ledger,
      phases: { patchedAt: done.startedAt, rolledOutAt: done.settledAt, oldPodsGoneAt: done.endedPodsGoneAt,
        ...(trafficMovedAt !== undefined ? { trafficMovedAt } : {}), loadStoppedAt, windowStartAt: done.startedAt, windowEndAt },
      podEvents: observer.events.map((e) => ({ ...e, at: onAxis(e.at) })),
      oldPods,
      ...(done.evidence ? { evidence: done.evidence } : {}),
    };
  } finally {
    await load?.stop().catch(() => undefined);
    if (own) observer.stop();
    await disruption.cleanUp?.({ kube, log }).catch((err: unknown) => log(`could not undo the ${disruption.describe}: ${String(err)}`));
  }
}

/**
 * Reasons of the namespace's pod events, per pod uid (a StatefulSet's replacement has its predecessor's name): evidence
 * of how each stop went.
 */
async function eventReasonsByPod(kube: Kube, namespace: string): Promise<Map<string, string[]>> {
  const byPod = new Map<string, string[]>();
  for (const e of await listEvents(kube, namespace, { kind: 'Pod' })) {
    const pod = e.involvedObject.uid;
    if (pod && e.reason) byPod.set(pod, [...(byPod.get(pod) ?? []), e.reason]);
  }
  return byPod;
}

/** Frees the Service's NodePort for the next case at once (namespace deletion at the end of the file is too late). */
export async function removeWorkload(kube: Kube, namespace: string, name: string): Promise<void> {
  await Promise.all([
    kube.core.deleteNamespacedService({ name, namespace }).catch(() => undefined),
    kube.apps.deleteNamespacedDeployment({ name, namespace }).catch(() => undefined),
    kube.kc.makeApiClient(PolicyV1Api).deleteNamespacedPodDisruptionBudget({ name, namespace }).catch(() => undefined),
  ]);
}
