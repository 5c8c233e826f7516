import { deploymentRolledOut, nodesReady } from '../kit/conditions.ts';
import type { Kube } from '../kit/kube.ts';
import { deployments, nodes } from '../kit/sources.ts';
import { waitFor, WaitFatalError, WaitTimeoutError } from '../kit/wait.ts';
import { HarnessError } from '../kit/errors.ts';

/** Every node Ready and CoreDNS rolled out: the cluster can run and resolve workloads. */
export async function waitClusterReady(kube: Kube, log: (line: string) => void, timeoutMs = 5 * 60_000): Promise<void> {
  try {
    await waitNodesAndDns(kube, log, timeoutMs);
  } catch (err) {
    if (!(err instanceof WaitTimeoutError || err instanceof WaitFatalError)) throw err;
    throw new HarnessError('waiting for the cluster to be ready', err.message,
      'look at the node\'s own logs (kind export logs --name <cluster>); a cluster this run created is deleted, ' +
      'WC_KEEP_CLUSTER=1 keeps it for a look', { cause: err });
  }
}

async function waitNodesAndDns(kube: Kube, log: (line: string) => void, timeoutMs: number): Promise<void> {
  const started = Date.now();
  log('[wc] waiting for the nodes to be Ready');
  const ready = await waitFor({
    description: 'every node to be Ready', ...nodes(kube), predicate: nodesReady(), timeoutMs, progressEveryMs: 10_000, log,
  });
  log(`[wc] ${ready.length} node(s) Ready after ${Math.round((Date.now() - started) / 1000)}s; waiting for CoreDNS`);
  await waitFor({
    description: 'CoreDNS (deployment kube-system/coredns) to be available', ...deployments(kube, 'kube-system', { name: 'coredns' }),
    predicate: deploymentRolledOut(), timeoutMs, progressEveryMs: 10_000, log,
  });
  log(`[wc] cluster ready after ${Math.round((Date.now() - started) / 1000)}s`);
}
