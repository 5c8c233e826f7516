// Start-up: does every replica start and turn Ready without a restart, and how much room do the probes leave it?
// ("will the liveness probe kill it during a slow start?", "is a startupProbe needed?"). One function for the
// slow-start behaviour (its guarded pod and its liveness-only control) and for the audit of a user's workload.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerHistory, readySinceStart } from '../kit/containers.ts';
import { readLivenessEvidence } from '../kit/events.ts';
import type { Place } from '../kit/kube.ts';
import { isPodReady } from '../kit/conditions.ts';
import { pods } from '../kit/sources.ts';
import { waitFor, WaitTimeoutError } from '../kit/wait.ts';
import { startBudget, type StartBudget } from './probes.ts';
import type { Verdict, StaticWarning } from './verdict.ts';

/** One pod's start as the API shows it: its node's times only (start and Ready transition, whole seconds). */
export interface PodStart {
  pod: string;
  node?: string;
  ready: boolean;
  /** From the container's start to the pod's Ready transition, both the kubelet's (node clock), whole seconds. */
  readyAfterSeconds?: number;
  restarts: number;
  /** The kubelet's Killing events that name a failed liveness or startup probe. */
  probeKills: string[];
}

/** Under this share of the probes' budget a start leaves room for a slower node or a colder cache (twice as slow). */
export const START_MARGIN_SHARE = 0.5;

/** kube-score's and Polaris' probe warnings for this container, as their rules read. */
export function probeWarnings(container: V1Container): StaticWarning[] {
  const same = container.readinessProbe && container.livenessProbe &&
    JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe);
  return [
    { tool: 'kube-score', id: 'pod-probes', warns: !container.readinessProbe || Boolean(same), about: 'a readiness probe, not identical to the liveness probe' },
    { tool: 'Polaris', id: 'readinessProbeMissing', warns: !container.readinessProbe, about: 'a readiness probe' },
    { tool: 'Polaris', id: 'livenessProbeMissing', warns: !container.livenessProbe, about: 'a liveness probe' },
  ];
}

/** The verdict on observed starts: any restart or a pod never Ready fails; a start over half the budget is advice. */
export function startupVerdict(starts: readonly PodStart[], container: V1Container, budget: StartBudget = startBudget(container)): Verdict {
  const base = { check: 'startup', question: 'Does every replica start and turn Ready without a restart, with room to spare under its probes?',
    static: probeWarnings(container) };
  const slowest = Math.max(...starts.map((s) => s.readyAfterSeconds ?? 0));
  const evidence = { pods: starts, budgetSeconds: budget.seconds ?? null, budgetBy: budget.by, slowestReadySeconds: slowest,
    readinessProbe: Boolean(container.readinessProbe) };
  const restarted = starts.filter((s) => s.restarts > 0);
  if (restarted.length) {
    const kills = restarted.flatMap((s) => s.probeKills);
    return { ...base, verdict: 'fail', evidence,
      summary: `${restarted.map((s) => `${s.pod} restarted ${s.restarts}x`).join(', ')} during start-up` +
        (kills.length ? ` (the kubelet: "${kills[0]}")` : '') +
        (budget.seconds !== undefined ? `: it needs longer than the ${budget.seconds} s its ${budget.by} allows; ` +
          'give it a startupProbe whose failureThreshold x periodSeconds covers at least twice its start-up' : '') };
  }
  const notReady = starts.filter((s) => !s.ready);
  if (notReady.length || starts.length === 0) {
    return { ...base, verdict: 'fail', evidence,
      summary: starts.length === 0 ? 'no pod of the workload appeared' : `${notReady.map((s) => s.pod).join(', ')} never turned Ready` };
  }
  const fastest = Math.min(...starts.map((s) => s.readyAfterSeconds ?? 0));
  const range = fastest === slowest ? `${slowest} s` : `${fastest}-${slowest} s`;
  if (budget.seconds !== undefined && slowest > budget.seconds * START_MARGIN_SHARE) {
    return { ...base, verdict: 'advice', evidence,
      summary: `Ready ${range} after start, over half the ${budget.seconds} s its ${budget.by} allows: a slower node or a colder cache ` +
        `ends in restarts; raise the ${budget.by === 'livenessProbe' ? 'budget (or add a startupProbe)' : 'startupProbe\'s failureThreshold'} to at least ${Math.ceil(slowest * 2)} s` };
  }
  if (!container.readinessProbe) {
    return { ...base, verdict: 'advice', evidence,
      summary: `Ready ${range} after start, but with no readiness probe it counts as Ready as soon as it starts: traffic reaches it before it serves` };
  }
  return { ...base, verdict: 'pass', evidence,
    summary: `${starts.length} pod(s) Ready ${range} after start, no restart` +
      (budget.seconds !== undefined ? `; the ${budget.by} allows ${budget.seconds} s` : '; no probe restarts it') };
}

/** What the API says of each pod's start (the container `container`), Killing events included. */
export async function readStarts(place: Place, podList: readonly V1Pod[], container: string): Promise<PodStart[]> {
  return Promise.all(podList.map(async (pod) => {
    const name = pod.metadata!.name!;
    const history = containerHistory(pod, container);
    const ready = isPodReady(pod);
    const evidence = history.restartCount > 0 ? await readLivenessEvidence(place, name) : { killing: [] };
    return { pod: name, ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}), ready,
      ...(ready ? { readyAfterSeconds: readySinceStart(pod, container) } : {}), restarts: history.restartCount,
      probeKills: evidence.killing };
  }));
}

/**
 * Waits until `replicas` pods matching the selector are Ready, or one has restarted (the evidence of a start-up the
 * probes cut short is then in: no need to watch it crash-loop), then reads every start.
 */
export async function observeStartup(place: Place, selector: string, replicas: number, container: string, timeoutMs: number): Promise<PodStart[]> {
  const seen = await waitFor({
    ...pods(place.kube, place.ns, { labelSelector: selector }),
    description: `${replicas} pod(s) of ${selector} Ready, or one restarted`,
    predicate: (items) => {
      const live = items.filter((p) => !p.metadata?.deletionTimestamp);
      const restarted = live.some((p) => containerHistory(p, container).restartCount > 0);
      const ready = live.filter(isPodReady).length;
      return restarted || ready >= replicas ? { done: true, value: live } : { done: false, note: `${ready} of ${replicas} Ready` };
    },
    timeoutMs,
  }).catch(async (err: unknown) => {
    // Not Ready in time is a verdict (which pods never turned Ready), not an error of the harness.
    if (err instanceof WaitTimeoutError) {
      return (await place.kube.core.listNamespacedPod({ namespace: place.ns, labelSelector: selector })).items;
    }
    throw err;
  });
  return readStarts(place, seen, container);
}
