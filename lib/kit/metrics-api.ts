import type { V1APIService } from '@kubernetes/client-node';
import { ApiregistrationV1Api } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import type { WaitSource } from './wait.ts';
import { waitFor } from './wait.ts';

// The resource metrics API (metrics.k8s.io) an HPA reads. The run's setup installs metrics-server with the
// credentials it was given when the cluster lacks it (lib/run/metrics-server.ts: cluster-scoped objects, which a
// least-privilege account may not create); a behaviour only waits for the API to be Available.

export const METRICS_APISERVICE = 'v1beta1.metrics.k8s.io';

export function apiServices(kube: Kube): WaitSource<V1APIService> {
  const api = kube.kc.makeApiClient(ApiregistrationV1Api);
  const query = { fieldSelector: `metadata.name=${METRICS_APISERVICE}` };
  return { kind: 'APIService', watch: kube.watch, watchPath: '/apis/apiregistration.k8s.io/v1/apiservices', watchQuery: query,
    list: () => api.listAPIService(query) };
}

/** The metrics API Available (the setup may still be installing it: this waits, by watch, for that too). */
export function awaitMetricsApi(kube: Kube, timeoutMs: number): Promise<V1APIService> {
  return waitFor({
    ...apiServices(kube),
    description: `APIService ${METRICS_APISERVICE} to be Available`,
    predicate: ([service]) => {
      const available = service?.status?.conditions?.find((c) => c.type === 'Available');
      return available?.status === 'True' ? { done: true, value: service! }
        : { done: false, note: available ? `Available=${available.status} (${available.reason}: ${available.message})` : 'no APIService' };
    },
    timeoutMs,
  });
}
