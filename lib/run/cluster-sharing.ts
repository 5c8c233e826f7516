// Several runs may use one kind cluster at once: the run that created it and runs that reused it (same
// WC_CLUSTER_NAME, or WC_KUBECONFIG at it). The cluster goes only when the run that created it ends, and
// only if no other run holds a lease on it then; otherwise it is left, with the command that removes it.
import type { ClusterHandle } from './cluster.ts';
import type { Kube } from '../kit/kube.ts';
import type { LeaseState } from './run-lease.ts';
import { otherLiveRunsNow } from '../kit/run-leases.ts';

export interface DeletionDecision {
  delete: boolean;
  reason: string;
}

/**
 * The rule, given who else holds a lease on the cluster (`others`: held leases of runs other than this one;
 * undefined when the leases could not be read, which keeps the cluster: deleting it under a run is worse
 * than leaving it).
 */
export function clusterDeletionDecision(handle: Pick<ClusterHandle, 'mode' | 'clusterName' | 'createdCluster' | 'keepCluster' | 'kindBin'>,
  others: LeaseState[] | undefined): DeletionDecision {
  const name = handle.clusterName ?? '?';
  if (handle.mode !== 'kind' || !handle.clusterName) return { delete: false, reason: 'an existing cluster is never deleted' };
  if (!handle.createdCluster) return { delete: false, reason: `leaving kind cluster ${name} as it was (this run did not create it)` };
  if (handle.keepCluster) return { delete: false, reason: `keeping kind cluster ${name} (WC_KEEP_CLUSTER)` };
  const command = `${handle.kindBin ?? 'kind'} delete cluster --name ${name}`;
  if (!others) return { delete: false, reason: `keeping kind cluster ${name}: could not read the other runs' leases on it; remove it when no run uses it: ${command}` };
  if (others.length) {
    const runs = others.map((l) => `${l.runId} (${l.holder}, renewed ${l.sinceRenewSeconds}s ago)`).join(', ');
    return { delete: false, reason: `keeping kind cluster ${name}, which this run created: run(s) ${runs} still hold a lease on it; ` +
      `remove it once they are done: ${command}` };
  }
  return { delete: true, reason: `deleting kind cluster ${name} (this run created it; no other run holds a lease on it)` };
}

/** Held leases of runs other than `runId`, or undefined if they could not be read. */
export function otherLiveRuns(kube: Kube, runId: string): Promise<LeaseState[] | undefined> {
  return otherLiveRunsNow(kube, runId).catch(() => undefined);
}
