// Peak CPU and memory per container while something runs, from the resource metrics API (metrics.k8s.io, what
// `kubectl top` and an HPA read): sampled, so a peak is the highest of metrics-server's windows seen, never a value
// between them. Where the API is not served the result says so (and why), instead of leaving the figures out.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { isNotFound, type Place } from './kube.ts';
import { METRICS_APISERVICE } from './metrics-api.ts';
import { parseQuantity } from './quantities.ts';

/**
 * How often the API is read: half the resolution this project runs metrics-server with (10 s; its default is 15 s),
 * so no window goes unread; reading more often only reads the same window again.
 */
export const USAGE_SAMPLE_MS = 5000;

export interface ContainerPeak {
  cpuMillicores: number;
  memoryBytes: number;
}

export type UsagePeaks =
  | { measured: true; samples: number; seconds: number; byContainer: Record<string, ContainerPeak> }
  | { measured: false; why: string };

interface PodMetricsList {
  items: Array<{ metadata: { name: string }; containers: Array<{ name: string; usage: { cpu: string; memory: string } }> }>;
}

/** Why the metrics API cannot be read, or undefined when its APIService is Available. */
async function unavailable(place: Place): Promise<string | undefined> {
  try {
    const service = await place.kube.kc.makeApiClient(ApiregistrationV1Api).readAPIService({ name: METRICS_APISERVICE });
    const available = service.status?.conditions?.find((c) => c.type === 'Available');
    return available?.status === 'True' ? undefined : `APIService ${METRICS_APISERVICE} is not Available (${available?.reason ?? 'no condition'})`;
  } catch (err) {
    if (isNotFound(err)) return `the cluster serves no metrics API (no APIService ${METRICS_APISERVICE}: install metrics-server)`;
    return `APIService ${METRICS_APISERVICE} could not be read: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Samples the selected pods' usage until `stop`, keeping each container's highest CPU and memory. */
export function sampleUsage(place: Place, labelSelector: string): { stop(): Promise<UsagePeaks> } {
  const api = place.kube.kc.makeApiClient(CustomObjectsApi);
  const started = Date.now();
  const byContainer: Record<string, ContainerPeak> = {};
  let samples = 0;
  let lastError: string | undefined;
  const halt = new AbortController();
  const read = async () => {
    try {
      const list = await api.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace: place.ns, plural: 'pods', labelSelector }) as PodMetricsList;
      for (const c of list.items.flatMap((p) => p.containers)) {
        const peak = byContainer[c.name] ??= { cpuMillicores: 0, memoryBytes: 0 };
        peak.cpuMillicores = Math.max(peak.cpuMillicores, Math.round(parseQuantity(c.usage.cpu) * 1000));
        peak.memoryBytes = Math.max(peak.memoryBytes, Math.round(parseQuantity(c.usage.memory)));
      }
      if (list.items.length) samples++;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
  };
  // The API may come up while this runs (an add-on being installed beside it): asked again at each tick until served.
  let why: string | undefined = 'not asked yet';
  const loop = (async () => {
    while (!halt.signal.aborted) {
      if (why) why = await unavailable(place);
      if (!why) await read();
      await sleep(USAGE_SAMPLE_MS, undefined, { signal: halt.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      halt.abort();
      await loop;
      if (why) return { measured: false, why };
      await read();
      if (!samples) return { measured: false, why: `the metrics API served no sample of these pods${lastError ? ` (${lastError})` : ' (metrics-server had not scraped them yet)'}` };
      return { measured: true, samples, seconds: Math.round((Date.now() - started) / 1000), byContainer };
    },
  };
}
