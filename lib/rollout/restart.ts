// A rolling restart under load, as `kubectl rollout restart` makes one: the pod template gains the annotation
// kubectl sets, so the controller replaces every pod by its own update strategy. The versions are the controller's
// own hashes (a Deployment's pod-template-hash, a StatefulSet's controller-revision-hash): the old one is the pods'
// before the change, the new one theirs once it rolled out.
import { retrying } from '../kit/kube.ts';
import { waitWhole, type Disruption, type UnderLoadTarget } from './driver.ts';
import { podsGone } from './eviction.ts';

/** The annotation `kubectl rollout restart` puts on the pod template. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** A JSON patch that sets RESTARTED_AT on a template that may have no annotations yet. */
export function restartPatch(annotations: Record<string, string> | undefined, at: string): object[] {
  if (!annotations) return [{ op: 'add', path: '/spec/template/metadata/annotations', value: { [RESTARTED_AT]: at } }];
  return [{ op: 'add', path: `/spec/template/metadata/annotations/${RESTARTED_AT.replaceAll('~', '~0').replaceAll('/', '~1')}`, value: at }];
}

async function patchTemplate(ctx: Parameters<Disruption['perform']>[0], target: UnderLoadTarget, at: string): Promise<void> {
  const { kube, ns } = ctx;
  const name = target.spec.name;
  if (target.kind === 'StatefulSet') {
    const set = await retrying(`reading StatefulSet ${name}`, () => kube.apps.readNamespacedStatefulSet({ name, namespace: ns }));
    await kube.apps.patchNamespacedStatefulSet({ name, namespace: ns, body: restartPatch(set.spec?.template.metadata?.annotations, at) });
    return;
  }
  const deployment = await retrying(`reading Deployment ${name}`, () => kube.apps.readNamespacedDeployment({ name, namespace: ns }));
  await kube.apps.patchNamespacedDeployment({ name, namespace: ns, body: restartPatch(deployment.spec?.template.metadata?.annotations, at) });
}

export const rollingRestart: Disruption = {
  describe: 'rolling restart',
  endVersion: (spec) => spec.to.name,
  async perform(ctx, target) {
    const { spec } = target;
    const before = [...ctx.observer.pods.values()].filter((p) => p.deletedAt === undefined && p.terminatingAt === undefined);
    const from = before[0]?.version;
    if (!from) throw new Error(`no running pod of ${spec.name} tells its version before the restart`);
    const startedAt = ctx.onAxis(Date.now());
    await patchTemplate(ctx, target, new Date().toISOString());
    await waitWhole(ctx, target, `${spec.name} restarted: ${spec.replicas} replicas ready on the new template`);
    const settledAt = ctx.onAxis(Date.now());
    const endedPods = [...ctx.observer.pods.entries()].filter(([, p]) => p.version === from).map(([uid]) => uid);
    const endedPodsGoneAt = await podsGone(ctx, endedPods, `pod of ${spec.name}'s old template`);
    const after = [...ctx.observer.pods.values()].find((p) => p.deletedAt === undefined && p.version !== from);
    return { startedAt, settledAt, endedPodsGoneAt, endedPods, versions: { from, to: after?.version ?? from } };
  },
};
