// The start-of-run sweep: removes what earlier runs left, judged by their leases (run-lease.ts), never by
// guesses about processes. Only namespaces carrying the harness's managed-by label and a run label are ever
// considered; a namespace stuck Terminating is reported with what holds it, not retried or forced.
import { sweepCordons } from '../kit/cordon.ts';
import { startNodesStoppedBy } from '../kit/node-containers.ts';
import { messageOf } from '../kit/errors.ts';
import type { V1Namespace } from '@kubernetes/client-node';
import type { Kube } from '../kit/kube.ts';
import { retrying } from '../kit/kube.ts';
import { MANAGED_BY, MANAGED_BY_VALUE, MANAGED_SELECTOR, RUN_LABEL } from '../kit/labels.ts';
import { deleteNamespaces } from '../kit/namespace.ts';
import type { LeaseState } from './run-lease.ts';
import { readRunLeases } from './run-lease.ts';

/**
 * A run of a harness version without leases (or one caught between creating its lease namespace and its
 * lease) is kept until its namespace is this old: no run of the suite lasts this long.
 */
export const LEASELESS_MAX_AGE_MS = 3 * 60 * 60 * 1000;
/** A namespace terminating for longer than this is reported as stuck (an empty one goes in seconds). */
export const STUCK_TERMINATING_MS = 2 * 60 * 1000;

export interface SweepPolicy {
  runId: string;
  leases: Map<string, LeaseState>;
  now: Date;
  leaselessMaxAgeMs?: number;
  stuckAfterMs?: number;
}

export interface SweepDecision {
  name: string;
  sweep: boolean;
  reason: string;
  /** Set when the namespace has been terminating for too long: what still holds it. */
  stuck?: string;
}

function ms(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && value) return new Date(value).getTime();
  return undefined;
}

const minutes = (milliseconds: number): number => Math.round(milliseconds / 60_000);

/**
 * What holds a terminating namespace, from the conditions the namespace controller writes: the content
 * still there, the finalizers on it, the content it failed to delete, and the namespace's own finalizers.
 */
export function terminatingReport(ns: V1Namespace, now: Date): string {
  const since = ms(ns.metadata?.deletionTimestamp);
  const lasted = since === undefined ? '' : ` for ${Math.max(0, Math.round((now.getTime() - since) / 1000))}s`;
  const held = (ns.status?.conditions ?? [])
    .filter((c) => c.status === 'True')
    .map((c) => `${c.type}: ${c.message ?? c.reason ?? ''}`.trim());
  const finalizers = ns.spec?.finalizers ?? [];
  const parts = [
    ...held,
    ...(finalizers.length ? [`namespace finalizers: ${finalizers.join(', ')}`] : []),
  ];
  return `namespace ${ns.metadata?.name ?? '?'} has been terminating${lasted}; ` +
    (parts.length ? parts.join('; ') : 'the namespace controller reports nothing remaining yet');
}

/** Whether the namespace is a leftover of a run that no longer holds its lease. */
export function sweepDecision(ns: V1Namespace, policy: SweepPolicy): SweepDecision {
  const name = ns.metadata?.name ?? '';
  const labels = ns.metadata?.labels ?? {};
  const keep = (reason: string, extra: Partial<SweepDecision> = {}): SweepDecision => ({ name, sweep: false, reason, ...extra });
  const sweep = (reason: string): SweepDecision => ({ name, sweep: true, reason });
  if (labels[MANAGED_BY] !== MANAGED_BY_VALUE) return keep('not created by workload-conformance');
  const run = labels[RUN_LABEL];
  if (!run) return keep('no run label');
  if (run === policy.runId) return keep('belongs to this run');
  const deleting = ms(ns.metadata?.deletionTimestamp);
  if (deleting !== undefined) {
    const stuck = policy.now.getTime() - deleting > (policy.stuckAfterMs ?? STUCK_TERMINATING_MS);
    return keep(stuck ? 'stuck terminating' : 'already being deleted', stuck ? { stuck: terminatingReport(ns, policy.now) } : {});
  }
  const lease = policy.leases.get(run);
  if (lease?.held) {
    return keep(`run ${run} holds its lease (renewed ${lease.sinceRenewSeconds}s ago by ${lease.holder})`);
  }
  if (lease) {
    return sweep(`run ${run}'s lease expired at ${lease.expiresAt.toISOString()} (last renewed ${lease.sinceRenewSeconds}s ago by ${lease.holder})`);
  }
  const age = policy.now.getTime() - (ms(ns.metadata?.creationTimestamp) ?? policy.now.getTime());
  const limit = policy.leaselessMaxAgeMs ?? LEASELESS_MAX_AGE_MS;
  if (age > limit) return sweep(`run ${run} holds no lease and its namespace is ${minutes(age)} min old, past the ${minutes(limit)} min limit`);
  return keep(`run ${run} holds no lease (an older harness version's run, or one starting); kept until it is ${minutes(limit)} min old`);
}

/** Deletes the namespaces of runs whose lease has expired, and reports every harness namespace's decision. */
export async function sweepLeftovers(kube: Kube, runId: string, log: (line: string) => void,
  options: Partial<Pick<SweepPolicy, 'leaselessMaxAgeMs' | 'stuckAfterMs'>> = {}): Promise<SweepDecision[]> {
  const now = new Date();
  const leases = await readRunLeases(kube, now);
  const list = await retrying('listing harness namespaces', () => kube.core.listNamespace({ labelSelector: MANAGED_SELECTOR }));
  const decisions = list.items.map((ns) => sweepDecision(ns, { runId, leases, now, ...options }));
  for (const d of decisions) {
    if (d.reason === 'belongs to this run') continue;
    log(`[wc] sweep: ${d.sweep ? 'deleting' : 'keeping'} namespace ${d.name}: ${d.stuck ?? d.reason}`);
  }
  // A node an ended run left cordoned (its lease gone or expired) is given back; a live run's stays as it is.
  await sweepCordons(kube, (by) => by !== runId && leases.get(by)?.held !== true, log)
    .catch((err: unknown) => log(`[wc] sweep: could not uncordon nodes left cordoned by ended runs: ${messageOf(err)}`));
  // A node an ended run stopped (node-loss, the run killed outright) is started again where this machine runs it.
  await startNodesStoppedBy(kube, (by) => by !== runId && leases.get(by)?.held !== true, log)
    .catch((err: unknown) => log(`[wc] sweep: could not start nodes left stopped by ended runs: ${messageOf(err)}`));
  const doomed = decisions.filter((d) => d.sweep).map((d) => d.name);
  // Not waited for: the leftovers go while this run works, and a stuck one is reported by the next sweep.
  if (doomed.length) await deleteNamespaces(kube, doomed, { wait: false });
  return decisions;
}
