// A node drain as `kubectl drain` makes one, as a disruption under load: cordon the node that holds the workload's
// pods, evict each of them through the Eviction API (which asks their PodDisruptionBudget), asking again after a
// refusal, until every one is gone and the Deployment is whole again; the cordon is undone afterwards, pass or fail.
// Only the workload's own pods are evicted: the harness never touches a pod it did not create, so this is the part
// of a drain that concerns the workload under test, not a drain of everything on the node.
import { setTimeout as sleep } from 'node:timers/promises';
import { deploymentRolledOut } from '../kit/conditions.ts';
import { cordon, uncordon } from '../kit/cordon.ts';
import { HarnessError } from '../kit/errors.ts';
import { evictPod } from '../kit/evictions.ts';
import { retrying } from '../kit/kube.ts';
import { pollUntil } from '../kit/poll.ts';
import { deployments } from '../kit/sources.ts';
import { waitFor } from '../kit/wait.ts';
import type { Disruption } from './driver.ts';
import { shortPodName } from './report/rollout-timeline-svg.ts';
import { NAME_LABEL } from './spec.ts';

/**
 * How long `kubectl drain` waits after a refused eviction before it asks again (kubectl's drain helper retries a
 * 429 every 5 s). The drain's pace is kubectl's, not ours: it is part of what is measured.
 */
export const EVICTION_RETRY_MS = 5000;

/**
 * A drain of the node holding most of the workload's pods (the first by name on a tie), for the run `runId`
 * (the cordon's mark). The cluster must have another schedulable node for the replacements.
 */
export function nodeDrain(runId: string): Disruption & { node(): string | undefined } {
  let drained: string | undefined;
  return {
    describe: 'node drain',
    node: () => drained,
    endVersion: (spec) => spec.from.name,
    async perform(ctx, spec) {
      const { kube, ns } = ctx;
      const listed = await retrying(`listing the pods of ${spec.name}`, () => kube.core.listNamespacedPod({ namespace: ns, labelSelector: `${NAME_LABEL}=${spec.name}` }));
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
      await cordon(kube, node, runId);
      drained = node;
      const startedAt = ctx.onAxis(Date.now());
      ctx.mark(`cordon ${node}`);
      ctx.log(`cordoned ${node}; evicting ${victims.join(', ')}`);
      const deadline = Date.now() + ctx.timeoutMs;
      // Each pod at once, as kubectl drain does; each asks again after a refusal until it is granted.
      await Promise.all(victims.map(async (pod) => {
        for (;;) {
          const answer = await evictPod(kube, ns, pod);
          // Short names on the timeline (as its lanes show them); the JSON's pod events keep the full ones.
          if (answer.granted) return void ctx.mark(`evicted ${shortPodName(pod)}`);
          ctx.mark(`refused ${shortPodName(pod)}: ${answer.status ?? '?'}${answer.byBudget ? ' DisruptionBudget' : ''}`);
          if (answer.status !== 429) throw new Error(`the eviction of ${pod} failed: ${answer.status} ${answer.message}`);
          if (Date.now() + EVICTION_RETRY_MS > deadline) throw new Error(`the eviction of ${pod} was still refused after ${ctx.timeoutMs / 1000} s: ${answer.message}`);
          await sleep(EVICTION_RETRY_MS);
        }
      }));
      const gone = new Set(victims);
      await pollUntil({
        description: `every evicted pod of ${spec.name} gone (${victims.join(', ')})`,
        probe: async () => [...ctx.observer.pods.values()].filter((p) => gone.has(p.name) && p.deletedAt === undefined).map((p) => p.name),
        done: (left) => left.length === 0,
        timeoutMs: ctx.timeoutMs,
        intervalMs: 100,
      });
      const endedPodsGoneAt = ctx.onAxis(Date.now());
      const deployment = await kube.apps.readNamespacedDeployment({ name: spec.name, namespace: ns });
      await waitFor({ ...deployments(kube, ns, { name: spec.name }), description: `${spec.name}: ${spec.replicas} replicas available again after the drain`,
        predicate: deploymentRolledOut(deployment.metadata?.generation ?? 1), timeoutMs: ctx.timeoutMs, log: ctx.log });
      return { startedAt, settledAt: ctx.onAxis(Date.now()), endedPodsGoneAt, endedPods: victims };
    },
    async cleanUp(ctx) {
      if (drained && await uncordon(ctx.kube, drained, runId)) ctx.log(`uncordoned ${drained}`);
    },
  };
}
