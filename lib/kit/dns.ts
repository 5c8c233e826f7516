import type { InClusterClient } from './client.ts';
import { runInClient } from './client.ts';
import type { Polled } from './poll.ts';
import { pollUntil } from './poll.ts';
import { TIMEOUTS } from './timeouts.ts';

/** The DNS name a StatefulSet pod gets from its governing headless Service. */
export function podFqdn(pod: string, service: string, namespace: string): string {
  return `${pod}.${service}.${namespace}.svc.cluster.local`;
}

/** Asks the cluster's DNS, from inside a pod, for the IPv4 addresses of a fully qualified name. */
export async function resolveInCluster(client: InClusterClient, fqdn: string): Promise<Resolution> {
  // The trailing dot makes the name absolute, so no search domain is tried and only this name is asked.
  const { stdout, stderr } = await runInClient(client, ['nslookup', '-type=a', `${fqdn}.`], TIMEOUTS.exec);
  return parseNslookup(stdout, stderr);
}

/**
 * Asks until the answer is the awaited one. CoreDNS caches answers (negative ones too) for up to 30 s, so a
 * name can keep its old answer that long after the cluster changed.
 */
export function awaitResolution(client: InClusterClient, fqdn: string, done: (r: Resolution) => boolean,
  what: string, timeoutMs: number = TIMEOUTS.dns): Promise<Polled<Resolution>> {
  return pollUntil({
    description: `${fqdn} to resolve ${what}`,
    probe: () => resolveInCluster(client, fqdn),
    done, timeoutMs, intervalMs: 2000, show: describeResolution,
  });
}

export function resolvesExactlyTo(address: string): (r: Resolution) => boolean {
  return (r) => r.outcome === 'resolved' && r.addresses.length === 1 && r.addresses[0] === address;
}

// Reads busybox nslookup's text. Three outcomes matter and must not be confused: the name resolved, the name
// does not exist (NXDOMAIN, what the negative control expects), or DNS itself failed (which proves nothing).

export type Resolution =
  | { outcome: 'resolved'; addresses: string[] }
  | { outcome: 'nxdomain' }
  | { outcome: 'error'; detail: string };

const ADDRESS_LINE = /^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)\s*$/;

export function parseNslookup(stdout: string, stderr = ''): Resolution {
  const text = `${stdout}\n${stderr}`;
  // The first block names the server ("Server:" and its "Address: ip:53"); answers come after it.
  const blocks = stdout.split(/\n\s*\n/);
  const answers = blocks.slice(1).join('\n').split('\n')
    .map((line) => ADDRESS_LINE.exec(line.trim())?.[1])
    .filter((address): address is string => address !== undefined);
  if (answers.length > 0) return { outcome: 'resolved', addresses: [...new Set(answers)] };
  if (/NXDOMAIN/.test(text)) return { outcome: 'nxdomain' };
  return { outcome: 'error', detail: text.trim() || '(no output)' };
}

export function describeResolution(resolution: Resolution): string {
  switch (resolution.outcome) {
    case 'resolved': return resolution.addresses.join(', ');
    case 'nxdomain': return 'NXDOMAIN';
    case 'error': return `error: ${resolution.detail}`;
  }
}
