// The host's view of the cluster's NodePorts: kind publishes a node port on the host through the kind
// config's extraPortMappings, so a test (or the rollout load) reaches a Service from outside the cluster
// the way a real client does, through kube-proxy.
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { parse } from 'yaml';
import { HarnessError, messageOf } from './errors.ts';
import type { Polled } from './poll.ts';
import { pollUntil } from './poll.ts';

/** A host port kind publishes for a node port (kind-config.yaml extraPortMappings). */
export interface PortMapping {
  containerPort: number;
  hostPort: number;
  listenAddress: string;
}

export function parsePortMappings(text: string): PortMapping[] {
  const doc = parse(text) as { nodes?: Array<{ extraPortMappings?: Array<Partial<PortMapping>> }> } | null;
  return (doc?.nodes ?? []).flatMap((n) => n.extraPortMappings ?? [])
    .filter((m): m is PortMapping & Partial<PortMapping> => typeof m.containerPort === 'number')
    .map((m) => ({ containerPort: m.containerPort, hostPort: m.hostPort ?? m.containerPort, listenAddress: m.listenAddress ?? '0.0.0.0' }));
}

export function readPortMappings(kindConfigPath: string): PortMapping[] {
  const step = 'reading the kind config';
  let text: string;
  try {
    text = readFileSync(kindConfigPath, 'utf8');
  } catch (err) {
    throw new HarnessError(step, `${kindConfigPath} cannot be read (${messageOf(err)})`, 'point WC_KIND_CONFIG at a kind config file, or unset it to use the repository\'s kind-config.yaml');
  }
  try {
    return parsePortMappings(text);
  } catch (err) {
    // yaml's message spans several lines (it quotes the source); its first line names the place.
    throw new HarnessError(step, `${kindConfigPath} is not valid YAML: ${messageOf(err).split('\n')[0]}`,
      'correct it (a kind Cluster config: https://kind.sigs.k8s.io/docs/user/configuration/), or unset WC_KIND_CONFIG to use the repository\'s kind-config.yaml');
  }
}

/** The host URL base that reaches `nodePort` through the kind config's port mappings. */
export function hostAddressFor(kindConfigPath: string, nodePort: number): string {
  const mapping = readPortMappings(kindConfigPath).find((m) => m.containerPort === nodePort);
  if (!mapping) {
    throw new HarnessError('finding the NodePort mapping', `${kindConfigPath} maps no host port to node port ${nodePort}`,
      `add an extraPortMappings entry with containerPort: ${nodePort} to ${kindConfigPath}`);
  }
  const host = mapping.listenAddress === '0.0.0.0' ? '127.0.0.1' : mapping.listenAddress;
  return `${host}:${mapping.hostPort}`;
}

/** One GET from this machine: the answer, or why there was none (refused, reset, timed out). */
export type HostAnswer = { status: number; body: string } | { error: string };

export async function getFromHost(url: string, timeoutMs: number): Promise<HostAnswer> {
  try {
    // A new connection per question: a pooled one could reach a backend the Service no longer has.
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, reset: true });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

export const answered2xx = (a: HostAnswer): boolean => 'status' in a && a.status >= 200 && a.status < 300;

/**
 * Asks until the answer is the awaited one: kube-proxy programs a node port a moment after the Service's
 * endpoints are ready (it syncs at most once a second), so the first questions may meet a closed port.
 */
export function awaitFromHost(url: string, ok: (answer: HostAnswer) => boolean, timeoutMs: number,
  { intervalMs = 500, requestTimeoutMs = 3000 } = {}): Promise<Polled<HostAnswer>> {
  return pollUntil({
    description: `${url} to answer`, probe: () => getFromHost(url, requestTimeoutMs), done: ok, timeoutMs, intervalMs,
    show: (a) => ('error' in a ? a.error : `HTTP ${a.status}: ${a.body.trim().slice(0, 200)}`),
  });
}
