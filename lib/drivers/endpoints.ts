import type { V1EndpointSlice } from '@kubernetes/client-node';

// A Service's endpoints are spread over any number of EndpointSlices; tests reason about one flat list
// keyed by the pod behind each endpoint.

export interface ServiceEndpoint {
  pod?: string;
  addresses: string[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  slice: string;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function flattenEndpoints(slices: readonly V1EndpointSlice[]): ServiceEndpoint[] {
  return slices.flatMap((slice) => (slice.endpoints ?? []).map((endpoint) => {
    const { ready, serving, terminating } = endpoint.conditions ?? {};
    return {
      pod: endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined,
      addresses: endpoint.addresses,
      // Unset conditions read as the API documents them: ready unless said otherwise, serving as ready is,
      // not terminating. Reading unset ready as false would let "not ready" pass on a slice that says nothing.
      ready: ready ?? true,
      serving: serving ?? ready ?? true,
      terminating: terminating ?? false,
      slice: slice.metadata?.name ?? '(unnamed)',
    };
  }));
}

export function endpointOfPod(endpoints: readonly ServiceEndpoint[], pod: string): ServiceEndpoint | undefined {
  return endpoints.find((endpoint) => endpoint.pod === pod);
}

/** One line per endpoint, for timeouts and the report. */
export function describeEndpoints(endpoints: readonly ServiceEndpoint[]): string {
  if (endpoints.length === 0) return '(no endpoints)';
  return endpoints.map((e) => `${e.pod ?? '?'} ${e.addresses.join(',')} ready=${e.ready} serving=${e.serving} ` +
    `terminating=${e.terminating}`).join('; ');
}
