import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parse } from 'yaml';
import { HarnessError } from './errors.ts';

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
  return parsePortMappings(readFileSync(kindConfigPath, 'utf8'));
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

function portFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Before creating a cluster: every host port the config publishes must be free, or docker fails half-way
 * through `kind create cluster` with a message buried in its command line.
 */
export async function checkHostPortsFree(kindConfigPath: string): Promise<void> {
  const taken: string[] = [];
  for (const m of readPortMappings(kindConfigPath)) {
    if (!await portFree(m.listenAddress, m.hostPort)) taken.push(`${m.listenAddress}:${m.hostPort}`);
  }
  if (taken.length) {
    throw new HarnessError('checking the host ports', `host ${taken.length > 1 ? 'ports' : 'port'} ${taken.join(', ')} (extraPortMappings in ${kindConfigPath}) ${taken.length > 1 ? 'are' : 'is'} already in use`,
      'another kind cluster made from this config is probably running (kind get clusters): reuse it with WC_CLUSTER_NAME ' +
      'or WC_KUBECONFIG, delete it, or set WC_KIND_CONFIG to a config with other host ports');
  }
}
