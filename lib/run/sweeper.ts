import type { V1Namespace } from '@kubernetes/client-node';
import type { Kube } from '../kit/kube.ts';
import { retrying } from '../kit/kube.ts';
import { MANAGED_BY, MANAGED_BY_VALUE, MANAGED_SELECTOR, OWNER_HOST_ANNOTATION, OWNER_PID_ANNOTATION, RUN_LABEL } from '../kit/labels.ts';
import type { NamespaceOwner } from '../kit/namespace.ts';
import { deleteNamespaces } from '../kit/namespace.ts';

/** After this long a namespace is a leftover whoever owns it: no run of the suite lasts this long. */
export const DEFAULT_MAX_AGE_MS = 3 * 60 * 60 * 1000;

export interface SweepPolicy {
  runId: string;
  host: string;
  isAlive: (pid: number) => boolean;
  now: Date;
  maxAgeMs: number;
}

export interface SweepDecision {
  name: string;
  sweep: boolean;
  reason: string;
}

function ageMs(ns: V1Namespace, now: Date): number {
  const created = ns.metadata?.creationTimestamp;
  if (!created) return 0;
  return now.getTime() - new Date(created as unknown as string).getTime();
}

/**
 * Whether a namespace is a leftover of an earlier run of this harness. Only namespaces carrying the
 * harness's managed-by label and a run id other than ours qualify; of those, one whose owner process is
 * alive (on this host) or unknown (another host) is a concurrent run's and is kept until it is older than
 * maxAge.
 */
export function sweepDecision(ns: V1Namespace, policy: SweepPolicy): SweepDecision {
  const name = ns.metadata?.name ?? '';
  const labels = ns.metadata?.labels ?? {};
  const keep = (reason: string): SweepDecision => ({ name, sweep: false, reason });
  const sweep = (reason: string): SweepDecision => ({ name, sweep: true, reason });
  if (labels[MANAGED_BY] !== MANAGED_BY_VALUE) return keep('not created by workload-conformance');
  const run = labels[RUN_LABEL];
  if (!run) return keep('no run label');
  if (run === policy.runId) return keep('belongs to this run');
  if (ns.metadata?.deletionTimestamp) return keep('already being deleted');
  const age = ageMs(ns, policy.now);
  const minutes = Math.round(age / 60_000);
  if (age > policy.maxAgeMs) return sweep(`run ${run} is ${minutes} min old, past the ${Math.round(policy.maxAgeMs / 60_000)} min limit`);
  const host = ns.metadata?.annotations?.[OWNER_HOST_ANNOTATION];
  const pid = Number.parseInt(ns.metadata?.annotations?.[OWNER_PID_ANNOTATION] ?? '', 10);
  if (!host || Number.isNaN(pid)) return keep(`run ${run} has no owner annotation; kept until it is older than the limit`);
  if (host !== policy.host) return keep(`run ${run} is owned by host ${host}, whose processes cannot be checked from here`);
  if (policy.isAlive(pid)) return keep(`run ${run} is owned by live process ${pid} (a concurrent run)`);
  return sweep(`run ${run}'s owner process ${pid} on this host is gone`);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the leftovers of earlier runs and reports every harness namespace's decision. */
export async function sweepLeftovers(kube: Kube, runId: string, owner: NamespaceOwner,
  log: (line: string) => void, maxAgeMs = DEFAULT_MAX_AGE_MS): Promise<SweepDecision[]> {
  const list = await retrying('listing harness namespaces', () => kube.core.listNamespace({ labelSelector: MANAGED_SELECTOR }));
  const policy: SweepPolicy = { runId, host: owner.host, isAlive: isProcessAlive, now: new Date(), maxAgeMs };
  const decisions = list.items.map((ns) => sweepDecision(ns, policy));
  for (const d of decisions) log(`[wc] sweep: ${d.sweep ? 'deleting' : 'keeping'} namespace ${d.name}: ${d.reason}`);
  const doomed = decisions.filter((d) => d.sweep).map((d) => d.name);
  if (doomed.length) await deleteNamespaces(kube, doomed);
  return decisions;
}
