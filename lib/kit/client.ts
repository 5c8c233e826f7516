import { podReady } from './conditions.ts';
import type { ExecResult } from './exec.ts';
import { execInPod } from './exec.ts';
import type { Place } from './kube.ts';
import { awaitPod } from './pods.ts';
import { TIMEOUTS } from './timeouts.ts';

/** A busybox pod (manifests/client.yaml) that questions the cluster from the inside: DNS, Service traffic. */
export interface InClusterClient {
  place: Place;
  pod: string;
  container: string;
}

/** Starts the client in the test's namespace (a TestNamespace is one such place). */
export async function startClient(t: Place & { apply(file: string): Promise<unknown> }): Promise<InClusterClient> {
  await t.apply('client.yaml');
  await awaitPod(t, 'client', podReady(), 'the in-cluster client pod to be Ready');
  return { place: { kube: t.kube, ns: t.ns }, pod: 'client', container: 'client' };
}

export function runInClient(client: InClusterClient, command: string[], timeoutMs: number = TIMEOUTS.exec): Promise<ExecResult> {
  return execInPod(client.place.kube, client.place.ns, client.pod, client.container, command, timeoutMs);
}
