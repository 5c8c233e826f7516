import { createServer } from 'node:net';
import { HarnessError } from '../kit/errors.ts';
import { readPortMappings } from '../kit/node-ports.ts';

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
