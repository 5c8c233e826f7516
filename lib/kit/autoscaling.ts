import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { AutoscalingV2Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Place } from './kube.ts';
import { retrying } from './kube.ts';
import { deployments } from './sources.ts';
import type { WaitSource } from './wait.ts';
import { waitFor } from './wait.ts';
import type { Consistently, Holds } from './consistently.ts';
import { consistently, holdsAsOutcome } from './consistently.ts';
import { parseQuantity } from './quantities.ts';

// A HorizontalPodAutoscaler's decisions, as the API shows them: the HPA writes the Deployment's spec.replicas
// (each write is one scale step) and reports in its status the utilization it computed from metrics.k8s.io.
// The waits below watch the Deployment, so every step is seen with the time it was seen, not sampled.

export function horizontalPodAutoscalers(place: Place, name: string): WaitSource<V2HorizontalPodAutoscaler> {
  const api = place.kube.kc.makeApiClient(AutoscalingV2Api);
  const query = { fieldSelector: `metadata.name=${name}` };
  return { kind: 'HorizontalPodAutoscaler', watch: place.kube.watch, watchQuery: query,
    watchPath: `/apis/autoscaling/v2/namespaces/${place.ns}/horizontalpodautoscalers`,
    list: () => api.listNamespacedHorizontalPodAutoscaler({ namespace: place.ns, ...query }) };
}

/** The CPU utilization (percent of the pods' request) the HPA last computed, if it has computed one. */
export function cpuUtilization(hpa: V2HorizontalPodAutoscaler | undefined): number | undefined {
  return hpa?.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')
    ?.resource?.current.averageUtilization;
}

export interface HpaReading {
  utilization: number;
  desiredReplicas: number;
  currentReplicas: number;
}

function reading(hpa: V2HorizontalPodAutoscaler): HpaReading | undefined {
  const utilization = cpuUtilization(hpa);
  if (utilization === undefined) return undefined;
  return { utilization, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentReplicas: hpa.status?.currentReplicas ?? 0 };
}

/** The HPA has metrics for its target: it computed a CPU utilization (metrics-server has scraped its pods). */
export function awaitHpaMetrics(place: Place, name: string, timeoutMs = 180_000): Promise<HpaReading> {
  return waitFor({
    ...horizontalPodAutoscalers(place, name),
    description: `HPA ${name} to compute a CPU utilization from metrics.k8s.io`,
    predicate: ([hpa]) => {
      const value = hpa && reading(hpa);
      if (value) return { done: true, value };
      const active = hpa?.status?.conditions?.find((c) => c.type === 'ScalingActive');
      return { done: false, note: active ? `ScalingActive=${active.status} (${active.reason}: ${active.message})` : 'no status yet' };
    },
    timeoutMs,
  });
}

/**
 * The HPA's status once it wants `want` replicas: the status of the sync that decided it, whose currentMetrics
 * are the utilization the decision was made on (the HPA writes the scale first, then this status).
 */
export function awaitHpaDecision(place: Place, name: string, want: (desired: number) => boolean, what: string,
  timeoutMs = 60_000): Promise<{ desiredReplicas: number; utilization?: number; lastScaleTime?: Date }> {
  return waitFor({
    ...horizontalPodAutoscalers(place, name),
    description: `HPA ${name} to want ${what}`,
    predicate: ([hpa]) => {
      const desired = hpa?.status?.desiredReplicas;
      if (desired === undefined || !want(desired)) return { done: false, note: `desiredReplicas ${desired ?? '?'}` };
      const utilization = cpuUtilization(hpa);
      const lastScaleTime = hpa?.status?.lastScaleTime;
      return { done: true, value: { desiredReplicas: desired, ...(utilization === undefined ? {} : { utilization }),
        ...(lastScaleTime ? { lastScaleTime } : {}) } };
    },
    timeoutMs,
  });
}

/** One change of the Deployment's replicas, seconds after the clock's start. */
export interface ScaleStep {
  from: number;
  to: number;
  afterSeconds: number;
}

/** Records every change of spec.replicas the watch shows, timed from `since` (a Date.now() value). */
export class ScaleRecorder {
  readonly steps: ScaleStep[] = [];
  readonly since: number;
  private last: number | undefined;

  constructor(since: number, initial?: number) {
    this.since = since;
    this.last = initial;
  }

  see(replicas: number | undefined, now = Date.now()): void {
    if (replicas === undefined) return;
    if (this.last !== undefined && replicas !== this.last) {
      this.steps.push({ from: this.last, to: replicas, afterSeconds: Math.round((now - this.since) / 100) / 10 });
    }
    this.last = replicas;
  }
}

/** Waits until the Deployment's replicas satisfy `reached`, recording each step on the way. */
export function awaitReplicas(place: Place, deployment: string, reached: (replicas: number) => boolean, what: string,
  recorder: ScaleRecorder, timeoutMs = 180_000): Promise<V1Deployment> {
  return waitFor({
    ...deployments(place.kube, place.ns, { name: deployment }),
    description: `deployment ${deployment} to be scaled ${what}`,
    predicate: ([d]) => {
      const replicas = d?.spec?.replicas;
      recorder.see(replicas);
      return d && replicas !== undefined && reached(replicas) ? { done: true, value: d }
        : { done: false, note: `replicas ${replicas ?? '?'}; steps so far ${JSON.stringify(recorder.steps)}` };
    },
    timeoutMs,
  });
}

export interface HpaWindow extends Consistently<V2HorizontalPodAutoscaler, V2HorizontalPodAutoscaler> {
  /** Every CPU utilization the HPA reported during the window (it drops one when a scrape misses the pod). */
  utilizations: number[];
}

/**
 * Holds while the HPA wants, and has, exactly `replicas`. A sync in which it could not read the metrics (it then
 * reports no utilization, and does not scale) does not break it: not scaling is what is watched.
 */
export function hpaStaysAt(replicas: number): (items: V2HorizontalPodAutoscaler[]) => Holds<V2HorizontalPodAutoscaler> {
  return ([hpa]) => {
    if (!hpa) return { holds: false, reason: 'the HPA does not exist' };
    const desired = hpa.status?.desiredReplicas;
    const current = hpa.status?.currentReplicas;
    if (desired !== replicas || current !== replicas) {
      return { holds: false, reason: `the HPA wants ${desired ?? '?'} and has ${current ?? '?'} replicas ` +
        `at ${cpuUtilization(hpa) ?? '(unknown)'}% CPU` };
    }
    return { holds: true, value: hpa };
  };
}

/** Watches the HPA for `windowMs`: it must keep wanting and having `replicas` throughout. */
export async function hpaHoldsAt(place: Place, name: string, replicas: number, windowMs: number): Promise<HpaWindow> {
  const utilizations: number[] = [];
  const stays = hpaStaysAt(replicas);
  const held = await consistently({
    ...horizontalPodAutoscalers(place, name),
    description: `HPA ${name} at ${replicas} replica(s)`,
    predicate: (items) => {
      const outcome = stays(items);
      const utilization = cpuUtilization(items[0]);
      if (outcome.holds && utilization !== undefined) utilizations.push(utilization);
      return holdsAsOutcome(outcome);
    },
    windowMs,
  });
  return { ...held, utilizations };
}

interface PodMetricsList {
  items: Array<{ metadata: { name: string }; containers: Array<{ usage: { cpu: string } }> }>;
}

/** The pods' CPU usage as metrics-server serves it now (metrics.k8s.io PodMetrics), in millicores per pod. */
export async function podCpuUsage(place: Place, labelSelector: string): Promise<Record<string, number>> {
  const api = place.kube.kc.makeApiClient(CustomObjectsApi);
  const list = await retrying(`reading pod metrics (${labelSelector})`, () => api.listNamespacedCustomObject({
    group: 'metrics.k8s.io', version: 'v1beta1', namespace: place.ns, plural: 'pods', labelSelector })) as PodMetricsList;
  return Object.fromEntries(list.items.map((pod) => [pod.metadata.name,
    Math.round(pod.containers.reduce((sum, c) => sum + parseQuantity(c.usage.cpu), 0) * 1000)]));
}
