// The workload images on every node before any behaviour's clock starts: a behaviour's waits are sized for a pod
// whose image is already there (TIMEOUTS.pod), and a first pull inside one would be timed as the behaviour.
// One pod per node that can run workloads, bound to it by nodeName, one container per image: the kubelet pulls each
// image as the registries (or the local registry's mirror) serve it; the containers run a command no image has, so
// each ends at once, and an image counts as pulled as soon as its container is past the pull, whatever then happened.
// Pod Security restricted, in a namespace of the run's own, deleted after. On an existing cluster too.
import type { V1ContainerStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import { messageOf } from '../kit/errors.ts';
import { HarnessError } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { retrying } from '../kit/kube.ts';
import type { NamespaceOwner } from '../kit/namespace.ts';
import { createNamespace, deleteNamespaces } from '../kit/namespace.ts';
import { runLabels } from '../kit/labels.ts';
import { pods } from '../kit/sources.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import type { WaitOutcome } from '../kit/wait.ts';
import { waitFor } from '../kit/wait.ts';

/**
 * The taint the node lifecycle controller keeps on a node until it sees it Ready: on a Ready node it is a moment's lag
 * (seen in CI: a worker that had just joined was left out of the pulls, and pulled its images inside the behaviours).
 */
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/**
 * The nodes a workload may land on: Ready, not cordoned, no NoSchedule or NoExecute taint but the not-ready one a Ready
 * node has yet to lose (the control plane of a one-node cluster included).
 */
export function nodesForWorkloads(nodes: readonly V1Node[]): string[] {
  return nodes.filter((n) => !n.spec?.unschedulable
    && !(n.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && t.key !== NOT_READY_TAINT)
    && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
}

/** A command no image has: the container fails to start right after its image is there (StartError). */
const NO_SUCH_COMMAND = '/workload-conformance-image-pull';

export function pullPod(node: string, images: string[], runId: string): V1Pod {
  return {
    metadata: { name: `pull-${node}`.slice(0, 63).replace(/[^a-z0-9]+$/, ''), labels: runLabels(runId) },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: images.map((image, i) => ({
        name: `image-${i}`, image, imagePullPolicy: 'IfNotPresent', command: [NO_SUCH_COMMAND],
        resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      })),
    },
  };
}

const PULLING = new Set(['ContainerCreating', 'PodInitializing', '']);
const PULL_FAILED = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
/** A pull failure that waiting will not mend (a transient one is retried by the kubelet, within the timeout). */
const FINAL = /not found|manifest unknown|unauthorized|denied|invalid/i;

export type PullState = { state: 'pulling' } | { state: 'pulled' } | { state: 'failed'; final: boolean; message: string };

/** Where one container's image stands: past the pull as soon as the container is anything but waiting for it. */
export function pullState(status: V1ContainerStatus | undefined): PullState {
  const waiting = status?.state?.waiting;
  if (!status || (waiting && PULLING.has(waiting.reason ?? ''))) return { state: 'pulling' };
  if (waiting && PULL_FAILED.has(waiting.reason ?? '')) {
    const message = `${waiting.reason}: ${waiting.message ?? ''}`.trim();
    return { state: 'failed', final: waiting.reason === 'InvalidImageName' || FINAL.test(waiting.message ?? ''), message };
  }
  return { state: 'pulled' };
}

/** Every pod's every image past its pull; fatal on a pull that will not succeed, naming the image and the node. */
export function allPulled(expected: number) {
  return (items: V1Pod[]): WaitOutcome<number> => {
    let pulled = 0;
    const waiting: string[] = [];
    for (const pod of items) {
      for (const container of pod.spec?.containers ?? []) {
        const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === container.name);
        const state = pullState(status);
        if (state.state === 'pulled') pulled++;
        else if (state.state === 'failed' && state.final) return { fatal: `node ${pod.spec?.nodeName} cannot pull ${container.image}: ${state.message}` };
        else waiting.push(`${container.image} on ${pod.spec?.nodeName}${state.state === 'failed' ? ` (${state.message})` : ''}`);
      }
    }
    return pulled === expected ? { done: true, value: pulled } : { done: false, note: `${pulled} of ${expected} pulled; waiting for ${waiting.slice(0, 3).join(', ')}` };
  };
}

export async function pullOnEveryNode(kube: Kube, images: string[], runId: string, owner: NamespaceOwner,
  log: (line: string) => void, timeoutMs: number = TIMEOUTS.imagePull): Promise<void> {
  const wanted = [...new Set(images)];
  const nodes = nodesForWorkloads((await retrying('listing the nodes', () => kube.core.listNode())).items);
  if (!nodes.length || !wanted.length) {
    log('[wc] no node can run workloads yet: images are pulled by each pod as it starts');
    return;
  }
  const started = Date.now();
  log(`[wc] pulling ${wanted.length} image${wanted.length > 1 ? 's' : ''} on ${nodes.length} node${nodes.length > 1 ? 's' : ''} (${nodes.join(', ')}), before any behaviour starts: ${wanted.join(', ')}`);
  const ns = await createNamespace(kube, 'image-pull', runId, owner);
  try {
    for (const node of nodes) {
      const body = pullPod(node, wanted, runId);
      await retrying(`creating pod ${body.metadata?.name}`, () => kube.core.createNamespacedPod({ namespace: ns, body }));
    }
    await waitFor({
      ...pods(kube, ns), description: `every node to pull the workload images (${wanted.length} on ${nodes.length} nodes)`,
      predicate: allPulled(wanted.length * nodes.length), timeoutMs, progressEveryMs: 30_000, log,
    });
  } catch (err) {
    throw new HarnessError('pulling the workload images onto the nodes', messageOf(err),
      'check the image names (WC_*_IMAGE) and that the nodes reach their registries; on kind, the local registry (docker logs workload-conformance-registry)', { cause: err });
  } finally {
    await deleteNamespaces(kube, [ns], { wait: false }).catch(() => undefined);
  }
  log(`[wc] every node has the workload images (${Math.round((Date.now() - started) / 1000)}s)`);
}
