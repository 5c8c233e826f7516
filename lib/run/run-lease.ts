// Which runs are alive, told by the runs themselves: each run holds a coordination.k8s.io Lease, renewed
// while it runs, in a namespace of its own (`wc-run-<runId>`). The sweeper removes a run's namespaces only
// once that lease has expired, so liveness never depends on host names or process ids (two containers with
// the same host name, or runs on different machines, judged each other dead before).
// The lease lives in a namespace the run creates (not a shared one) so the run leaves nothing behind, and so
// a least-privilege role needs lease rights only in harness namespaces' terms (see docs/rbac.yaml).
import type { V1Lease, V1Namespace } from '@kubernetes/client-node';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { HarnessError, messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { isNotFound, retrying, statusOf } from '../kit/kube.ts';
import { MANAGED_SELECTOR, RUN_LABEL } from '../kit/labels.ts';
import type { NamespaceOwner } from '../kit/namespace.ts';
import { namespaceObject } from '../kit/namespace.ts';

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

export function leaseNamespaceObject(runId: string, owner: NamespaceOwner): V1Namespace {
  const ns = namespaceObject(leaseNamespace(runId), 'run-lease', runId, owner);
  ns.metadata!.labels![ROLE_LABEL] = LEASE_ROLE;
  return ns;
}

export function holderIdentity(runId: string, owner: NamespaceOwner): string {
  return `${owner.host}/${owner.pid} run ${runId}`;
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
  return {
    runId, holder: lease.spec?.holderIdentity ?? '',
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

export interface RunLease {
  namespace: string;
  /** Stops renewing (the lease then expires by itself; releaseRunLease removes it at once). */
  stop(): void;
}

export interface AcquireOptions {
  durationSeconds?: number;
  log?: (line: string) => void;
}

/**
 * Creates the run's lease namespace and lease and renews the lease every third of its duration until
 * stopped. The timer does not keep the process alive; a failed renewal is logged and retried at the next tick.
 */
export async function acquireRunLease(kube: Kube, runId: string, owner: NamespaceOwner,
  { durationSeconds = LEASE_DURATION_SECONDS, log = () => undefined }: AcquireOptions = {}): Promise<RunLease> {
  const namespace = leaseNamespace(runId);
  const api = coordination(kube);
  try {
    await retrying(`creating namespace ${namespace}`, () => kube.core.createNamespace({ body: leaseNamespaceObject(runId, owner) }));
    const now = new V1MicroTime();
    await retrying(`creating the run lease in ${namespace}`, () => api.createNamespacedLease({ namespace, body: {
      metadata: { name: RUN_LEASE_NAME, labels: leaseNamespaceObject(runId, owner).metadata!.labels! },
      spec: { holderIdentity: holderIdentity(runId, owner), leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now },
    } }));
  } catch (err) {
    const status = statusOf(err);
    throw new HarnessError('taking the run lease', `cannot create the run lease ${namespace}/${RUN_LEASE_NAME}: ${messageOf(err)}`,
      status === 403
        ? 'the credentials need create on namespaces and on coordination.k8s.io leases (see docs/rbac.yaml)'
        : 'check that the cluster is healthy; the lease is what keeps other runs\' sweeps off this run\'s namespaces',
      { cause: err });
  }
  let failures = 0;
  const renew = async (): Promise<void> => {
    try {
      await api.patchNamespacedLease({ name: RUN_LEASE_NAME, namespace,
        body: [{ op: 'replace', path: '/spec/renewTime', value: new V1MicroTime().toISOString() }] });
      if (failures) log(`[wc] run lease renewed again after ${failures} failed attempt(s)`);
      failures = 0;
    } catch (err) {
      failures += 1;
      log(`[wc] could not renew the run lease ${namespace}/${RUN_LEASE_NAME} (attempt ${failures}): ${messageOf(err)}`);
    }
  };
  const timer = setInterval(() => void renew(), Math.round(durationSeconds * 1000 / 3));
  timer.unref();
  return { namespace, stop: () => clearInterval(timer) };
}
