// Which runs are alive, told by the runs themselves: each run holds a coordination.k8s.io Lease, renewed
// while it runs, in a namespace of its own (`wc-run-<runId>`). The sweeper removes a run's namespaces only
// once that lease has expired, so liveness never depends on host names or process ids (two containers with
// the same host name, or runs on different machines, judged each other dead before).
// The lease lives in a namespace the run creates (not a shared one) so the run leaves nothing behind, and so
// a least-privilege role needs lease rights only in harness namespaces' terms (see docs/rbac.yaml).
import type { V1Namespace } from '@kubernetes/client-node';
import { V1MicroTime } from '@kubernetes/client-node';
import { HarnessError, messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { retrying, statusOf } from '../kit/kube.ts';
import type { NamespaceOwner } from '../kit/namespace.ts';
import { namespaceObject } from '../kit/namespace.ts';

import { coordination, LEASE_DURATION_SECONDS, LEASE_ROLE, leaseNamespace, ROLE_LABEL, RUN_LEASE_NAME } from '../kit/run-leases.ts';

export {
  CLOCK_SKEW_MS, coordination, DISRUPTING_ANNOTATION, LEASE_DURATION_SECONDS, LEASE_ROLE, leaseNamespace, leaseState, readRunLeases, ROLE_LABEL,
  RUN_LEASE_NAME,
} from '../kit/run-leases.ts';
export type { LeaseState } from '../kit/run-leases.ts';

export function leaseNamespaceObject(runId: string, owner: NamespaceOwner): V1Namespace {
  const ns = namespaceObject(leaseNamespace(runId), 'run-lease', runId, owner);
  ns.metadata!.labels![ROLE_LABEL] = LEASE_ROLE;
  return ns;
}

export function holderIdentity(runId: string, owner: NamespaceOwner): string {
  return `${owner.host}/${owner.pid} run ${runId}`;
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
