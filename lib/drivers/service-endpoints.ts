import type { V1Endpoint } from '@kubernetes/client-node';
import { endpointsFor } from '../conditions.ts';
import { endpointSlices } from '../sources.ts';
import { waitFor } from '../wait.ts';
import type { EndpointView } from './endpoints.ts';
import { endpointOfPod } from './endpoints.ts';
import type { Place } from './place.ts';

/**
 * Waits until the Service's EndpointSlices (all of them) show `pod`'s endpoint as `ok` says (undefined when the
 * pod has no endpoint); value: all the Service's endpoints at that moment.
 */
export function awaitServiceEndpoint(place: Place, service: string, pod: string,
  ok: (endpoint: EndpointView | undefined) => boolean, what: string, timeoutMs = 60_000): Promise<V1Endpoint[]> {
  return waitFor({
    ...endpointSlices(place.kube, place.ns, service),
    description: `the EndpointSlices of Service ${service} to show ${pod} ${what}`,
    predicate: endpointsFor(service, (endpoints) => ok(endpointOfPod(endpoints, pod)), `showing ${pod} ${what}`),
    timeoutMs,
  });
}
