import type { InClusterClient } from './in-cluster-client.ts';
import { runInClient } from './in-cluster-client.ts';
import type { Resolution } from './nslookup.ts';
import { describeResolution, parseNslookup } from './nslookup.ts';
import type { Polled } from './poll.ts';
import { pollUntil } from './poll.ts';

/** The DNS name a StatefulSet pod gets from its governing headless Service. */
export function podFqdn(pod: string, service: string, namespace: string): string {
  return `${pod}.${service}.${namespace}.svc.cluster.local`;
}

/** Asks the cluster's DNS, from inside a pod, for the IPv4 addresses of a fully qualified name. */
export async function resolveInCluster(client: InClusterClient, fqdn: string): Promise<Resolution> {
  // The trailing dot makes the name absolute, so no search domain is tried and only this name is asked.
  const { stdout, stderr } = await runInClient(client, ['nslookup', '-type=a', `${fqdn}.`], 30_000);
  return parseNslookup(stdout, stderr);
}

/**
 * Asks until the answer is the awaited one. CoreDNS caches answers (negative ones too) for up to 30 s, so a
 * name can keep its old answer that long after the cluster changed.
 */
export function awaitResolution(client: InClusterClient, fqdn: string, done: (r: Resolution) => boolean,
  what: string, timeoutMs = 90_000): Promise<Polled<Resolution>> {
  return pollUntil({
    description: `${fqdn} to resolve ${what}`,
    probe: () => resolveInCluster(client, fqdn),
    done, timeoutMs, intervalMs: 2000, show: describeResolution,
  });
}

export function resolvesExactlyTo(address: string): (r: Resolution) => boolean {
  return (r) => r.outcome === 'resolved' && r.addresses.length === 1 && r.addresses[0] === address;
}
