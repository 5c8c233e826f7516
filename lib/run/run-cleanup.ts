// The end of a run on a cluster that stays: its namespaces go first, its lease namespace last, so that a
// cleanup cut short (a second Ctrl-C, a crash) leaves a lease that expires and lets the next sweep finish
// the job. A namespace that does not finish terminating is reported with what holds it.
import { messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { isNotFound, retrying } from '../kit/kube.ts';
import { terminatingReport } from './lease-sweep.ts';
import { runSelector } from '../kit/labels.ts';
import { deleteNamespaces } from '../kit/namespace.ts';
import { leaseNamespace, ROLE_LABEL } from './run-lease.ts';

export async function removeRunNamespaces(kube: Kube, runId: string, log: (line: string) => void,
  timeoutMs = 120_000): Promise<string[]> {
  const home = leaseNamespace(runId);
  // A namespace with a role (the lease's, the least-privilege account's) is removed by its owner, in order.
  const list = await retrying('listing this run\'s namespaces', () => kube.core.listNamespace({ labelSelector: runSelector(runId) }));
  const names = list.items.filter((n) => !n.metadata?.labels?.[ROLE_LABEL]).map((n) => n.metadata!.name!);
  try {
    await deleteNamespaces(kube, names, { timeoutMs });
  } catch (err) {
    // The namespaces stay with this run's label; the lease stays too (and expires), so the next sweep retries.
    await reportTerminating(kube, names, log);
    throw err;
  }
  await deleteNamespaces(kube, [home], { timeoutMs });
  return [...names, home];
}

async function reportTerminating(kube: Kube, names: string[], log: (line: string) => void): Promise<void> {
  const now = new Date();
  for (const name of names) {
    try {
      const ns = await retrying(`reading namespace ${name}`, () => kube.core.readNamespace({ name }));
      if (ns.metadata?.deletionTimestamp) log(`[wc] ${terminatingReport(ns, now)}`);
    } catch (err) {
      if (!isNotFound(err)) log(`[wc] could not read namespace ${name}: ${messageOf(err)}`);
    }
  }
}
