// What an existing cluster is, asked of the cluster itself. A context's name says nothing (a context named
// `kind-prod` can point anywhere), and a loopback address neither (a tunnel to a production API server is
// loopback too). kind's nodes carry a provider ID `kind://<provider>/<cluster>/<node>` that kind sets and no
// other distribution does, so the harness treats a cluster as kind only when every node carries one.
import type { V1Node } from '@kubernetes/client-node';
import { HarnessError, messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { retrying, statusOf } from '../kit/kube.ts';

const STEP = 'checking which cluster this is';
const KIND_PROVIDER = /^kind:\/\/[^/]+\/([^/]+)\//;

export interface ClusterFacts {
  server: string;
  context: string;
  /** Each node and its provider ID (empty when it has none); undefined when the nodes could not be read. */
  nodes?: Array<{ name: string; providerID: string }>;
  nodesError?: string;
}

export interface ClusterJudgement {
  kind: boolean;
  /** The kind cluster's name, from the provider IDs, when it is one. */
  kindCluster?: string;
  loopback: boolean;
  reason: string;
}

export function isLoopbackServer(server: string): boolean {
  let host: string;
  try {
    host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function nodeFacts(nodes: V1Node[]): Array<{ name: string; providerID: string }> {
  return nodes.map((n) => ({ name: n.metadata?.name ?? '?', providerID: n.spec?.providerID ?? '' }));
}

export function judgeCluster(facts: ClusterFacts): ClusterJudgement {
  const loopback = isLoopbackServer(facts.server);
  const where = `context "${facts.context}" (API server ${facts.server}${loopback ? ', loopback' : ''})`;
  if (!facts.nodes) {
    return { kind: false, loopback, reason: `${where}: its nodes could not be read (${facts.nodesError ?? 'unknown error'}), so it cannot be shown to be a kind cluster` };
  }
  if (!facts.nodes.length) return { kind: false, loopback, reason: `${where} has no nodes, so it cannot be shown to be a kind cluster` };
  const foreign = facts.nodes.filter((n) => !KIND_PROVIDER.test(n.providerID));
  if (foreign.length) {
    const shown = foreign.slice(0, 3).map((n) => `${n.name} (${n.providerID ? `provider ID ${n.providerID}` : 'no provider ID'})`).join(', ');
    return { kind: false, loopback, reason: `${where} is not a kind cluster: node ${shown} is not a kind node (kind nodes have provider IDs kind://...)` };
  }
  const names = new Set(facts.nodes.map((n) => KIND_PROVIDER.exec(n.providerID)![1]!));
  const kindCluster = names.size === 1 ? [...names][0]! : undefined;
  return { kind: true, loopback, ...(kindCluster ? { kindCluster } : {}),
    reason: `${where} is kind cluster ${[...names].join(', ')} (${facts.nodes.length} kind node(s))` };
}

export async function readClusterFacts(kube: Kube): Promise<ClusterFacts> {
  const server = kube.kc.getCurrentCluster()?.server ?? '';
  const context = kube.kc.getCurrentContext();
  try {
    const list = await retrying('listing nodes', () => kube.core.listNode());
    return { server, context, nodes: nodeFacts(list.items) };
  } catch (err) {
    const status = statusOf(err);
    return { server, context, nodesError: status === 403 ? 'listing nodes is forbidden to these credentials' : messageOf(err) };
  }
}

/**
 * Refuses an existing cluster that is not kind unless the user opted in (WC_ALLOW_NON_KIND=1): the harness
 * creates and deletes namespaces and must not do so on a shared cluster because a kubeconfig pointed there.
 */
export async function guardExistingCluster(kube: Kube, allowNonKind: boolean, log: (line: string) => void): Promise<ClusterJudgement> {
  const judgement = judgeCluster(await readClusterFacts(kube));
  if (judgement.kind) {
    log(`[wc] ${judgement.reason}`);
    return judgement;
  }
  if (allowNonKind) {
    log(`[wc] ${judgement.reason}; running on it anyway (WC_ALLOW_NON_KIND=1)`);
    return judgement;
  }
  throw new HarnessError(STEP, `${judgement.reason}; the harness creates and deletes namespaces and refuses to touch another cluster by accident`,
    'point WC_KUBECONFIG/WC_CONTEXT at a kind cluster, or set WC_ALLOW_NON_KIND=1 if you mean to run against this cluster ' +
    '(its credentials need the rights in docs/rbac.yaml, nodes get/list included)');
}
