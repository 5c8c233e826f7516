// One pod deleted under load, as a scale-down, a node's shutdown or `kubectl delete pod` deletes it: its own grace
// period, its exit captured on its node's clock (lib/kit/pod-exit.ts), the controller's replacement waited for. The
// audit's deletion check judges the exit (lib/checks/deletion.ts) beside the requests the deletion lost.
import { isPodReady } from '../kit/conditions.ts';
import { containerStatus } from '../kit/containers.ts';
import { deletePodAndCaptureExit, type Exit } from '../kit/pod-exit.ts';
import { pods } from '../kit/sources.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { waitFor } from '../kit/wait.ts';
import { waitWhole, type Disruption } from './driver.ts';
import { podsGone } from './eviction.ts';

/** What the deletion did: the pod it deleted and how its `container` ended. */
export interface Deleted {
  pod: string;
  exit: Exit;
}

/** Deletes one pod of the workload whose `container` runs (a Ready one first, then by name). */
export function podDeletion(container: string): Disruption & { deleted(): Deleted | undefined } {
  let deleted: Deleted | undefined;
  return {
    describe: 'deletion of one pod',
    deleted: () => deleted,
    endVersion: (spec) => spec.from.name,
    async perform(ctx, target) {
      const { spec } = target;
      // A pod whose container runs: one waiting in a restart back-off has no process to signal.
      const victim = await waitFor({ ...pods(ctx.kube, ctx.ns, { labelSelector: target.selector }), description: `a pod of ${spec.name} whose ${container} runs`,
        predicate: (items) => {
          const running = items.filter((p) => !p.metadata?.deletionTimestamp && containerStatus(p, container)?.state?.running)
            .sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)) || a.metadata!.name!.localeCompare(b.metadata!.name!));
          return running[0] ? { done: true, value: running[0] } : { done: false, note: `${items.length} pod(s), none running ${container}` };
        }, timeoutMs: TIMEOUTS.pod });
      const pod = victim.metadata!.name!;
      const version = target.versionOf(victim) ?? spec.from.name;
      const grace = victim.spec?.terminationGracePeriodSeconds ?? 30;
      const startedAt = ctx.onAxis(Date.now());
      ctx.mark(`delete ${pod}`);
      ctx.log(`deleting ${pod} (grace ${grace} s)`);
      const exit = await deletePodAndCaptureExit(ctx, { name: pod, uid: victim.metadata!.uid! }, container, (grace + 60) * 1000);
      deleted = { pod, exit };
      const uid = victim.metadata!.uid!;
      const endedPodsGoneAt = await podsGone(ctx, [uid], 'deleted pod');
      await waitWhole(ctx, target, `${spec.name}: ${spec.replicas} replicas ready again after the deletion`);
      return { startedAt, settledAt: ctx.onAxis(Date.now()), endedPodsGoneAt, endedPods: [uid], versions: { from: version, to: version } };
    },
  };
}
