// The nodes' cgroup version on an existing cluster whose nodes this machine cannot look at (a kind cluster on this
// machine's Docker engine is told by the engine: cluster.ts). The qos-classes file needs it before its tests are
// defined (a running test cannot skip itself): a cgroup v2 node gives each container a private cgroup namespace,
// which hides the QoS tier, so that case is skipped by name there, and runs where the nodes are cgroup v1.
// One pod (Pod Security restricted, in a namespace of the run's own) reads it on the node the scheduler picks; it is
// taken for every node, and said so. Any failure leaves it unknown: the tier cases then run and say what they see.
import { messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { applyObjects, loadManifest } from '../kit/manifests.ts';
import type { NamespaceOwner } from '../kit/namespace.ts';
import { createNamespace, deleteNamespaces } from '../kit/namespace.ts';
import { awaitPod } from '../kit/pods.ts';
import { podSucceeded } from '../kit/conditions.ts';

const POD = 'node-cgroup-probe';

/** The version the probe printed, or undefined when its output is anything else. */
export function parseCgroupProbe(output: string): 1 | 2 | undefined {
  const match = /^cgroup v([12])$/m.exec(output.trim());
  return match ? (Number(match[1]) as 1 | 2) : undefined;
}

export async function probeNodeCgroupVersion(kube: Kube, runId: string, owner: NamespaceOwner, busyboxImage: string,
  log: (line: string) => void, timeoutMs = 90_000): Promise<1 | 2 | undefined> {
  let ns: string | undefined;
  try {
    ns = await createNamespace(kube, 'node-cgroup', runId, owner);
    await applyObjects(kube, ns, loadManifest('node-cgroup-probe.yaml', { BUSYBOX_IMAGE: busyboxImage }, runId));
    const [pod] = await awaitPod({ kube, ns }, POD, podSucceeded(), 'the cgroup probe pod to succeed', timeoutMs);
    const output = await kube.core.readNamespacedPodLog({ name: POD, namespace: ns, container: 'probe' });
    const version = parseCgroupProbe(output);
    if (!version) throw new Error(`the probe printed "${output.trim()}"`);
    log(`[wc] node ${pod?.spec?.nodeName ?? '?'} runs cgroup v${version} (read by a probe pod; taken for every node)`);
    return version;
  } catch (err) {
    log(`[wc] could not tell the nodes' cgroup version (${messageOf(err).split('\n')[0]}): the qos-classes cgroup-tier ` +
      'cases run, and a cgroup v2 node, which hides the tier, fails them saying so');
    return undefined;
  } finally {
    if (ns) await deleteNamespaces(kube, [ns], { wait: false }).catch(() => undefined);
  }
}
