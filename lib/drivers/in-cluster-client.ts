import { podReady } from '../conditions.ts';
import type { ExecResult } from '../exec.ts';
import { execInPod } from '../exec.ts';
import type { TestNamespace } from '../fixture.ts';
import type { Place } from './place.ts';
import { awaitPod } from './pods.ts';

/** A busybox pod (manifests/client.yaml) that questions the cluster from the inside: DNS, Service traffic. */
export interface InClusterClient {
  place: Place;
  pod: string;
  container: string;
}

export async function startClient(t: TestNamespace): Promise<InClusterClient> {
  await t.apply('client.yaml');
  await awaitPod(t, 'client', podReady(), 'the in-cluster client pod to be Ready');
  return { place: { kube: t.kube, ns: t.ns }, pod: 'client', container: 'client' };
}

export function runInClient(client: InClusterClient, command: string[], timeoutMs = 60_000): Promise<ExecResult> {
  return execInPod(client.place.kube, client.place.ns, client.pod, client.container, command, timeoutMs);
}
