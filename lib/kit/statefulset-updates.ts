// Changing a StatefulSet (its pod template, partition, replicas) and reading which revision each pod runs:
// the StatefulSet controller stamps every pod with the label controller-revision-hash = the name of the
// ControllerRevision it was made from, and reports status.currentRevision (what pods below the partition
// run) and status.updateRevision (the newest template).
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { isPodReady, isTerminating } from './conditions.ts';
import type { Place } from './kube.ts';
import { execInPod } from './exec.ts';
import { retrying } from './kube.ts';
import { statefulSets } from './sources.ts';
import type { Predicate } from './wait.ts';
import { waitFor } from './wait.ts';

export const REVISION_LABEL = 'controller-revision-hash';

export function revisionOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[REVISION_LABEL];
}

/** JSON-patches a StatefulSet (every op a replace or test, so a retried patch does the same thing). */
export function patchStatefulSet(place: Place, name: string, ops: object[]): Promise<V1StatefulSet> {
  return retrying(`patching StatefulSet ${name}`,
    () => place.kube.apps.patchNamespacedStatefulSet({ name, namespace: place.ns, body: ops }));
}

/** Sets the value of the env var at `index` of the first container, checking its name first. */
export function templateEnvPatch(index: number, name: string, value: string): object[] {
  const path = `/spec/template/spec/containers/0/env/${index}`;
  return [{ op: 'test', path: `${path}/name`, value: name }, { op: 'replace', path: `${path}/value`, value }];
}

export const partitionPatch = (partition: number): object[] =>
  [{ op: 'replace', path: '/spec/updateStrategy/rollingUpdate/partition', value: partition }];

export const replicasPatch = (replicas: number): object[] => [{ op: 'replace', path: '/spec/replicas', value: replicas }];

/** The controller has seen the latest spec and its update revision is no longer `previous`; value: the set. */
export const updateRevisionMovedFrom = (previous: string): Predicate<V1StatefulSet, V1StatefulSet> => (items) => {
  const set = items[0];
  const s = set?.status;
  if (set && (s?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && s?.updateRevision && s.updateRevision !== previous) {
    return { done: true, value: set };
  }
  return { done: false, note: `updateRevision ${s?.updateRevision ?? '?'} (was ${previous})` };
};

/** The status shows `ready` Ready replicas of which `updated` run the update revision; value: the set. */
export const statefulSetStatusIs = (ready: number, updated: number): Predicate<V1StatefulSet, V1StatefulSet> => (items) => {
  const set = items[0];
  const s = set?.status;
  if (set && (s?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && s?.readyReplicas === ready &&
    (s?.updatedReplicas ?? 0) === updated) return { done: true, value: set };
  return { done: false, note: `ready ${s?.readyReplicas ?? 0}/${ready}, updated ${s?.updatedReplicas ?? 0}/${updated}` };
};

export function awaitStatefulSet<V>(place: Place, name: string, predicate: Predicate<V1StatefulSet, V>, description: string,
  timeoutMs = 180_000): Promise<V> {
  return waitFor({ ...statefulSets(place.kube, place.ns, { name }), description, predicate, timeoutMs });
}

/** The pod `name` is Ready on `revision` (not terminating); value: the pod. */
export const podReadyOnRevision = (name: string, revision: string): Predicate<V1Pod, V1Pod> => (items) => {
  const pod = items.find((p) => p.metadata?.name === name && !isTerminating(p));
  if (pod && revisionOf(pod) === revision && isPodReady(pod)) return { done: true, value: pod };
  return { done: false, note: pod ? `${name} on ${revisionOf(pod)}, ready=${isPodReady(pod)}` : `${name} absent` };
};

/**
 * A violation test for consistently(): the pod must stay the very pod recorded in `kept` (name -> uid) on
 * `revision` — not deleted, not terminating, not recreated, not relabelled. Pods not in `kept` are ignored.
 */
export function unchangedPod(kept: ReadonlyMap<string, string>, revision: string): (pod: V1Pod) => string | undefined {
  return (pod) => {
    const name = pod.metadata?.name ?? '';
    const uid = kept.get(name);
    if (uid === undefined) return undefined;
    if (pod.metadata?.uid !== uid) return `${name} was recreated (uid ${pod.metadata?.uid}, was ${uid})`;
    if (isTerminating(pod)) return `${name} is terminating`;
    if (revisionOf(pod) !== revision) return `${name} is on revision ${revisionOf(pod)}, not ${revision}`;
    return undefined;
  };
}

/**
 * The version the pod's HTTP server answers with (asked from inside the pod, at 127.0.0.1). The server serves a
 * file written before it started, so an answer is never empty; yet once (1 in ~30 runs) the exec reported
 * wget's exit 0 with no output at all, its stdout lost on the way. Such a read is made again (at most twice,
 * said in the log): the file cannot change, so a new read can only show what the server serves.
 */
export async function versionAnswer(place: Place, pod: string, container = 'app', port = 8080): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { stdout, stderr, exitCode } = await execInPod(place.kube, place.ns, pod, container,
      ['wget', '-qO-', `http://127.0.0.1:${port}/version`], 30_000);
    if (exitCode !== 0) throw new Error(`asking pod ${pod} for its version failed (exit ${exitCode}): ${stderr.trim()}`);
    const answer = stdout.trim();
    if (answer || attempt === 3) return answer;
    process.stderr.write(`[wc] asking pod ${pod} for its version: exit 0 but no output came back (read ${attempt}); asking again\n`);
  }
}
