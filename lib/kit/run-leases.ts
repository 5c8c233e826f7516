// Which harness runs hold a cluster, read from their Leases (lib/run/run-lease.ts takes and renews this run's). Here in
// the kit so that the node-level files can ask, before they touch a node, whether another run is on the cluster; and
// so that a run can say, on its own lease, that it is disrupting nodes now (DISRUPTING_ANNOTATION), which a run
// starting meanwhile waits out (lib/run/session.ts) before its files begin.
import type { V1Lease } from '@kubernetes/client-node';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import { isNotFound, retrying } from './kube.ts';
import { MANAGED_SELECTOR, RUN_LABEL } from './labels.ts';

/** The lease's name in its run's namespace. */
export const RUN_LEASE_NAME = 'run';
/** Marks the namespace that holds a run's lease (and nothing else). */
export const ROLE_LABEL = 'workload-conformance.io/role';
export const LEASE_ROLE = 'run-lease';

/**
 * A lease not renewed for this long is expired. Renewed every third of it, so two renewals can fail (a
 * busy API server, a stalled event loop on a loaded machine) before anyone may judge the run dead.
 */
export const LEASE_DURATION_SECONDS = 90;
/** Clock skew allowed between the machine that renewed a lease and the one that judges it. */
export const CLOCK_SKEW_MS = 30_000;

export function leaseNamespace(runId: string): string {
  return `wc-run-${runId}`;
}

export interface LeaseState {
  runId: string;
  holder: string;
  /** Held: renewed within its duration (plus the allowed skew) as seen from `now`. */
  held: boolean;
  /** When it expires (or expired), by the renewer's clock. */
  expiresAt: Date;
  /** Seconds since the last renewal, as seen from `now`. */
  sinceRenewSeconds: number;
  /** Since when the run has been disrupting nodes (a node-level file holds them), if it is. */
  disruptingSince?: string;
}

function time(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) return new Date(value);
  return undefined;
}

/** Whether the lease is still held at `now`; a lease without renew time or duration is not. */
export function leaseState(lease: V1Lease, now: Date, skewMs = CLOCK_SKEW_MS): LeaseState {
  const runId = lease.metadata?.labels?.[RUN_LABEL] ?? '';
  const renewed = time(lease.spec?.renewTime) ?? time(lease.spec?.acquireTime);
  const duration = lease.spec?.leaseDurationSeconds ?? 0;
  const expiresAt = new Date((renewed?.getTime() ?? 0) + duration * 1000);
  const disruptingSince = lease.metadata?.annotations?.[DISRUPTING_ANNOTATION];
  return {
    runId, holder: lease.spec?.holderIdentity ?? '', ...(disruptingSince ? { disruptingSince } : {}),
    held: renewed !== undefined && duration > 0 && now.getTime() <= expiresAt.getTime() + skewMs,
    expiresAt,
    sinceRenewSeconds: renewed ? Math.round((now.getTime() - renewed.getTime()) / 1000) : Number.POSITIVE_INFINITY,
  };
}

export function coordination(kube: Kube): CoordinationV1Api {
  return kube.kc.makeApiClient(CoordinationV1Api);
}

/** The run lease of every harness run on the cluster, by run id (runs whose lease is gone are absent). */
export async function readRunLeases(kube: Kube, now = new Date()): Promise<Map<string, LeaseState>> {
  const homes = await retrying('listing run lease namespaces', () =>
    kube.core.listNamespace({ labelSelector: `${MANAGED_SELECTOR},${ROLE_LABEL}=${LEASE_ROLE}` }));
  const api = coordination(kube);
  const states = new Map<string, LeaseState>();
  await Promise.all(homes.items.map(async (ns) => {
    const namespace = ns.metadata?.name ?? '';
    try {
      const lease = await retrying(`reading the lease in ${namespace}`, () => api.readNamespacedLease({ name: RUN_LEASE_NAME, namespace }));
      const state = leaseState(lease, now);
      if (state.runId) states.set(state.runId, state);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }));
  return states;
}

/** On a run's lease while one of its node-level files holds the nodes: when it began. */
export const DISRUPTING_ANNOTATION = 'workload-conformance.io/disrupting-nodes';
const DISRUPTING_PATH = `/metadata/annotations/${DISRUPTING_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** Says on the run's own lease that it is disrupting nodes now (or no longer). */
export async function markDisrupting(kube: Kube, runId: string, on: boolean): Promise<void> {
  const api = coordination(kube);
  const namespace = leaseNamespace(runId);
  const lease = await retrying(`reading the run lease in ${namespace}`, () => api.readNamespacedLease({ name: RUN_LEASE_NAME, namespace }));
  const has = lease.metadata?.annotations?.[DISRUPTING_ANNOTATION] !== undefined;
  if (on === has) return;
  const body = on
    ? [...(lease.metadata?.annotations ? [] : [{ op: 'add', path: '/metadata/annotations', value: {} }]),
      { op: 'add', path: DISRUPTING_PATH, value: new Date().toISOString() }]
    : [{ op: 'remove', path: DISRUPTING_PATH }];
  await retrying(`marking the run lease ${on ? '' : 'no longer '}disrupting nodes`, () => api.patchNamespacedLease({ name: RUN_LEASE_NAME, namespace, body }));
}

/** Other runs that hold a lease on the cluster now, each as "<runId> (<holder>)". */
export async function otherLiveRunsNow(kube: Kube, runId: string): Promise<LeaseState[]> {
  return [...(await readRunLeases(kube)).values()].filter((l) => l.held && l.runId !== runId);
}

export const describeRun = (l: LeaseState): string => `${l.runId} (${l.holder})`;

/** What a wait on other runs says: while it waits (every 30 s), and when it gives up. */
export interface OtherRunsWait {
  /** Which other live runs it waits on. */
  which: (lease: LeaseState) => boolean;
  waiting: (runs: LeaseState[]) => string;
  gaveUp: (runs: LeaseState[], minutes: number) => string;
  log: (line: string) => void;
  timeoutMs: number;
}

/**
 * Waits until no other live run is one `which` picks. It waits on other runs, which renew their leases every 30 s, not
 * on Kubernetes, so it polls the leases (every 5 s).
 */
export async function waitOnOtherRuns(kube: Kube, runId: string, wait: OtherRunsWait): Promise<void> {
  const started = Date.now();
  let said = 0;
  for (;;) {
    const runs = (await otherLiveRunsNow(kube, runId)).filter(wait.which);
    if (!runs.length) return;
    if (Date.now() - started > wait.timeoutMs) throw new Error(wait.gaveUp(runs, Math.round(wait.timeoutMs / 60_000)));
    if (Date.now() - said >= 30_000) {
      said = Date.now();
      wait.log(wait.waiting(runs));
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** For a run's setup: waits while another run disrupts the nodes (its lease says so), so that no file of this run starts on a node being drained or stopped. */
export function waitWhileOthersDisrupt(kube: Kube, runId: string, log: (line: string) => void, timeoutMs = 30 * 60_000): Promise<void> {
  return waitOnOtherRuns(kube, runId, {
    which: (l) => l.disruptingSince !== undefined, log, timeoutMs,
    waiting: (runs) => `[wc] run(s) ${runs.map((l) => `${describeRun(l)} since ${l.disruptingSince}`).join(', ')} disrupt this cluster's nodes: waiting before any file starts`,
    gaveUp: (runs, minutes) => `run(s) ${runs.map(describeRun).join(', ')} have been disrupting this cluster's nodes for over ${minutes} min`,
  });
}
