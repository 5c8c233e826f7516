import type { V1Endpoint } from '@kubernetes/client-node';
import type { InClusterClient } from './client.ts';
import { runInClient } from './client.ts';
import { endpointsFor } from './conditions.ts';
import type { Place } from './kube.ts';
import type { Polled } from './poll.ts';
import { pollUntil } from './poll.ts';
import { endpointSlices } from './sources.ts';
import { TIMEOUTS } from './timeouts.ts';
import { waitFor } from './wait.ts';

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

/** Waits until the Service's EndpointSlices (all of them) satisfy `ok`; value: all its endpoints at that moment. */
export function awaitEndpoints(place: Place, service: string, ok: (endpoints: V1Endpoint[]) => boolean, what: string,
  timeoutMs: number = TIMEOUTS.assert): Promise<V1Endpoint[]> {
  return waitFor({
    ...endpointSlices(place.kube, place.ns, service),
    description: `the EndpointSlices of Service ${service} to show ${what}`,
    predicate: endpointsFor(service, ok, `showing ${what}`),
    timeoutMs,
  });
}

/**
 * Waits until the Service's EndpointSlices show `pod`'s endpoint as `ok` says (undefined when the pod has no
 * endpoint); value: all the Service's endpoints at that moment.
 */
export function awaitServiceEndpoint(place: Place, service: string, pod: string,
  ok: (endpoint: EndpointView | undefined) => boolean, what: string, timeoutMs: number = TIMEOUTS.assert): Promise<V1Endpoint[]> {
  return awaitEndpoints(place, service, (endpoints) => ok(endpointOfPod(endpoints, pod)), `${pod} ${what}`, timeoutMs);
}

// Who answered a burst of requests sent from inside the cluster. agnhost's /hostname answers with the pod's
// name, so the tally says which backends a Service actually sent traffic to.

export interface Tally {
  byHostname: Record<string, number>;
  failures: number;
  requests: number;
}

const FAILED = '!failed';

/** A busybox shell loop: one line per request, the answer or a failure marker (wget has no timeout flag here). */
export function requestLoopScript(url: string, requests: number, perRequestTimeoutSeconds = 3): string {
  return `i=0; while [ $i -lt ${requests} ]; do ` +
    `timeout ${perRequestTimeoutSeconds} wget -qO- '${url}' 2>/dev/null || printf '${FAILED}'; echo; ` +
    'i=$((i+1)); done';
}

export function tallyAnswers(stdout: string): Tally {
  const tally: Tally = { byHostname: {}, failures: 0, requests: 0 };
  for (const line of stdout.split('\n')) {
    const answer = line.trim();
    if (answer === '') continue;
    tally.requests += 1;
    // A request that timed out half-way may have printed part of an answer before the marker.
    if (answer.endsWith(FAILED)) tally.failures += 1;
    else tally.byHostname[answer] = (tally.byHostname[answer] ?? 0) + 1;
  }
  return tally;
}

/** Sends `requests` GETs to an agnhost /hostname URL from inside the cluster; tallies who answered. */
export async function sendRequests(client: InClusterClient, url: string, requests: number): Promise<Tally> {
  const { stdout } = await runInClient(client, ['sh', '-c', requestLoopScript(url, requests)], requests * 5_000);
  return tallyAnswers(stdout);
}

/** Sends bursts until `hostname` answers at least once: kube-proxy programs new endpoints a moment late. */
export function awaitAnswerFrom(client: InClusterClient, url: string, hostname: string,
  timeoutMs: number = TIMEOUTS.assert): Promise<Polled<Tally>> {
  return pollUntil({
    description: `${hostname} to answer requests to ${url}`,
    probe: () => sendRequests(client, url, 10),
    done: (tally) => (tally.byHostname[hostname] ?? 0) > 0,
    timeoutMs, intervalMs: 1000,
  });
}
