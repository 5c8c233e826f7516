import type { V1Node } from '@kubernetes/client-node';
import { HarnessError, messageOf } from './errors.ts';
import type { Kube } from './kube.ts';
import { retrying } from './kube.ts';
import { nodes } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import { waitFor } from './wait.ts';

// A node is the cluster's, never the suite's: the suite cordons one only for a behaviour that needs it, marks it as
// its own while it is cordoned, and uncordons only a node carrying its mark. A node someone else cordoned (already
// unschedulable, or marked by another run) is refused, never taken over; a crashed run's mark tells the next run's
// sweep which nodes to give back (sweepCordons).

/** The annotation naming the run that cordoned the node. */
export const CORDONED_BY_ANNOTATION = 'workload-conformance.io/cordoned-by';

/** JSON-patch path of an annotation (RFC 6901 escapes "/" as "~1"). */
const ANNOTATION_PATH = `/metadata/annotations/${CORDONED_BY_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** Who, if anyone, holds the node cordoned: undefined when it is schedulable. */
export function cordonHolder(node: V1Node): { by: string } | undefined {
  const mark = node.metadata?.annotations?.[CORDONED_BY_ANNOTATION];
  if (mark) return { by: `run ${mark}` };
  return node.spec?.unschedulable ? { by: 'someone other than this suite (no workload-conformance mark)' } : undefined;
}

/**
 * The JSON patch that cordons a node read at `resourceVersion` for `runId`: it fails (the API's 422 on a failed
 * test) if the node changed since it was read, so a concurrent cordon by anyone else is never overwritten.
 */
export function cordonPatch(node: V1Node, runId: string): object[] {
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: node.metadata?.resourceVersion },
    ...(node.metadata?.annotations ? [] : [{ op: 'add', path: '/metadata/annotations', value: {} }]),
    { op: 'add', path: ANNOTATION_PATH, value: runId },
    { op: 'add', path: '/spec/unschedulable', value: true },
  ];
}

/** The JSON patch that gives a node back: only valid while the node still carries `runId`'s mark. */
export function uncordonPatch(runId: string): object[] {
  return [
    { op: 'test', path: ANNOTATION_PATH, value: runId },
    { op: 'remove', path: ANNOTATION_PATH },
    { op: 'remove', path: '/spec/unschedulable' },
  ];
}

/** Cordons `name` for `runId`, refusing a node already cordoned by anyone. */
export async function cordon(kube: Kube, name: string, runId: string): Promise<void> {
  const node = await retrying(`reading node ${name}`, () => kube.core.readNode({ name }));
  const holder = cordonHolder(node);
  if (holder) {
    throw new HarnessError('cordoning a node', `node ${name} is already cordoned, by ${holder.by}`,
      'wait until it is uncordoned, or run the node-level behaviours on a cluster whose nodes nobody else is draining');
  }
  try {
    await kube.core.patchNode({ name, body: cordonPatch(node, runId) });
  } catch (err) {
    throw new Error(`cordoning node ${name}: ${messageOf(err)}`, { cause: err });
  }
}

/** Uncordons `name` if `runId` cordoned it (and nobody has uncordoned it since); says whether it did. */
export async function uncordon(kube: Kube, name: string, runId: string): Promise<boolean> {
  const node = await retrying(`reading node ${name}`, () => kube.core.readNode({ name }));
  if (node.metadata?.annotations?.[CORDONED_BY_ANNOTATION] !== runId) return false;
  await retrying(`uncordoning node ${name}`, () => kube.core.patchNode({ name, body: uncordonPatch(runId) }));
  // Given back only once the scheduler may use it: the node lifecycle controller lifts the taint it put on the cordon
  // a moment after, and a case that listed the nodes in between found one worker short (seen: node-spread, existing
  // cluster).
  await waitFor({ ...nodes(kube, { name }), description: `node ${name} without the ${UNSCHEDULABLE_TAINT} taint after its uncordon`,
    predicate: (items) => {
      const tainted = (items[0]?.spec?.taints ?? []).some((t) => t.key === UNSCHEDULABLE_TAINT);
      return tainted ? { done: false, note: `${UNSCHEDULABLE_TAINT} still on it` } : { done: true, value: true };
    }, timeoutMs: TIMEOUTS.assert });
  return true;
}

/** The taint the node lifecycle controller mirrors spec.unschedulable with (TaintNodesByCondition). */
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/**
 * Uncordons every node cordoned by a run `gone` says has ended (this run's own at its end; a crashed run's at the
 * next run's start). Returns the nodes given back.
 */
export async function sweepCordons(kube: Kube, gone: (runId: string) => boolean, log: (line: string) => void): Promise<string[]> {
  const nodes = await retrying('listing nodes', () => kube.core.listNode());
  const freed: string[] = [];
  for (const node of nodes.items) {
    const name = node.metadata?.name ?? '';
    const by = node.metadata?.annotations?.[CORDONED_BY_ANNOTATION];
    if (!by || !gone(by)) continue;
    if (await uncordon(kube, name, by)) {
      freed.push(name);
      log(`[wc] uncordoned node ${name}, left cordoned by run ${by}`);
    }
  }
  return freed;
}
