// A node drain as `kubectl drain` makes one, as a disruption under load: cordon the node that holds the workload's
// pods, evict each of them through the Eviction API (which asks their PodDisruptionBudget), asking again after a
// refusal, until every one is gone and the Deployment is whole again; the cordon is undone afterwards, pass or fail.
// Only the workload's own pods are evicted: the harness never touches a pod it did not create, so this is the part
// of a drain that concerns the workload under test, not a drain of everything on the node.
import { cordon, uncordon } from '../kit/cordon.ts';
import { HarnessError } from '../kit/errors.ts';
import { retrying } from '../kit/kube.ts';
import { waitWhole, type Disruption } from './driver.ts';
import { evictEach, podsGone } from './eviction.ts';

/**
 * A drain of the node holding most of the workload's pods (the first by name on a tie), for the run `runId`
 * (the cordon's mark). The cluster must have another schedulable node for the replacements. `refusedForMs`: how long
 * the budget may refuse an eviction since the last grant before the drain is called blocked (EvictionRefused).
 */
export function nodeDrain(runId: string, refusedForMs?: number): Disruption & { node(): string | undefined } {
  let drained: string | undefined;
  return {
    describe: 'node drain',
    node: () => drained,
    endVersion: (spec) => spec.from.name,
    async perform(ctx, target) {
      const { kube, ns } = ctx;
      drained = undefined; // a second run (measured once more) starts afresh
      const { spec } = target;
      const listed = await retrying(`listing the pods of ${spec.name}`, () => kube.core.listNamespacedPod({ namespace: ns, labelSelector: target.selector }));
      const byNode = new Map<string, string[]>();
      for (const p of listed.items) {
        const node = p.spec?.nodeName;
        if (node && !p.metadata?.deletionTimestamp) byNode.set(node, [...(byNode.get(node) ?? []), p.metadata!.name!]);
      }
      const [node, victims] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0] ?? [];
      if (!node || !victims) throw new Error(`no pod of ${spec.name} is on a node: nothing to drain`);
      const nodes = await retrying('listing nodes', () => kube.core.listNode());
      const elsewhere = nodes.items.filter((n) => n.metadata?.name !== node && !n.spec?.unschedulable
        && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
      if (!elsewhere.length) {
        throw new HarnessError('draining a node under load', `node ${node} is the only node the workload's pods can run on: its evicted pods would have nowhere to go`,
          'run the node-level behaviours on a cluster with at least two schedulable nodes (WC_NODES=3: a control plane and two workers)');
      }
      // Set first: a cordon whose answer is lost may still have landed, and the uncordon is guarded by the run's mark.
      drained = node;
      await cordon(kube, node, runId);
      const startedAt = ctx.onAxis(Date.now());
      ctx.mark(`cordon ${node}`);
      ctx.log(`cordoned ${node}; evicting ${victims.join(', ')}`);
      await evictEach(ctx, victims, refusedForMs);
      const uids = listed.items.filter((p) => victims.includes(p.metadata!.name!)).map((p) => p.metadata!.uid!);
      const endedPodsGoneAt = await podsGone(ctx, uids, `evicted pod of ${spec.name}`);
      await waitWhole(ctx, target, `${spec.name}: ${spec.replicas} replicas available again after the drain`);
      return { startedAt, settledAt: ctx.onAxis(Date.now()), endedPodsGoneAt, endedPods: uids };
    },
    async cleanUp(ctx) {
      if (drained && await uncordon(ctx.kube, drained, runId)) ctx.log(`uncordoned ${drained}`);
    },
  };
}
