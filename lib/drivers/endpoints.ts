import type { V1Endpoint } from '@kubernetes/client-node';

// Endpoints as the tests reason about them: keyed by the pod behind each, with the three conditions read
// the way the API documents unset values.

export interface EndpointView {
  pod?: string;
  addresses: string[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export function viewEndpoint(endpoint: V1Endpoint): EndpointView {
  const { ready, serving, terminating } = endpoint.conditions ?? {};
  return {
    pod: endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined,
    addresses: endpoint.addresses,
    // Unset reads as documented: ready unless said otherwise, serving as ready is, not terminating. Reading
    // unset ready as false would let "not ready" pass on a slice that says nothing.
    ready: ready ?? true,
    serving: serving ?? ready ?? true,
    terminating: terminating ?? false,
  };
}

export function endpointOfPod(endpoints: readonly V1Endpoint[], pod: string): EndpointView | undefined {
  return endpoints.map(viewEndpoint).find((endpoint) => endpoint.pod === pod);
}

/** One entry per endpoint, for the report. */
export function describeEndpoints(endpoints: readonly V1Endpoint[]): string[] {
  return endpoints.map(viewEndpoint).map((e) =>
    `${e.pod ?? '?'} ${e.addresses.join(',')} ready=${e.ready} serving=${e.serving} terminating=${e.terminating}`);
}
