// Where the load runs. From the test process through the NodePort whenever it answers (on kind that is
// 127.0.0.1:30080 via extraPortMappings, so requests cross kube-proxy like a real client's; on an existing
// cluster a node's address at the NodePort the API allocated, or WC_ROLLOUT_TARGET); on an existing cluster
// whose NodePort this machine cannot reach, from a pod inside the cluster instead.
import { HarnessError } from '../../kit/errors.ts';
import { NODE_PORT } from '../constants.ts';
import { startHostLoad } from './host-source.ts';
import { reachable } from './reachable.ts';
import type { LoadSettings, LoadSource } from './source.ts';

export type LoadWhere = 'auto' | 'host' | 'pod';

export interface Placement {
  where: LoadWhere;
  clusterMode: 'kind' | 'existing';
  /** Origin of the NodePort as this machine sees it; undefined when there is none to try. */
  hostTarget?: string;
  /**
   * Where the target came from, when it is a node's address at a NodePort the API allocated (an existing cluster
   * without WC_ROLLOUT_TARGET), e.g. "node n1's address, NodePort 31234 allocated by the API".
   */
  allocated?: string;
  /** Starts the in-cluster generator against the Service's in-cluster address. */
  startPod(settings: Omit<LoadSettings, 'target'>): Promise<LoadSource>;
  reachTimeoutMs?: number;
}

/** Why the host cannot load the Service, and what to do: one message per kind of target. */
export function unreachableHostTarget(p: Pick<Placement, 'clusterMode' | 'hostTarget' | 'allocated'>, path: string): HarnessError {
  const what = p.hostTarget === undefined ? `no Ready node lists an address this machine could try (${p.allocated ?? 'no target'})`
    : `${p.hostTarget}${path}${p.allocated ? ` (${p.allocated})` : ''} did not answer`;
  const hint = p.clusterMode === 'kind'
    ? `the kind cluster must map NodePort ${NODE_PORT} to 127.0.0.1 (kind-config.yaml extraPortMappings); recreate it with that config`
    : p.allocated
      ? `this machine may not reach the nodes' addresses (Docker Desktop, a firewall, a private network): set WC_ROLLOUT_TARGET to an ` +
        `address where it reaches NodePort ${NODE_PORT} (the Service then takes that fixed port; for a kind cluster made from ` +
        `kind-config.yaml, http://127.0.0.1:${NODE_PORT}); the host reference cases load from here only (WC_ROLLOUT_LOAD=pod is refused for them)`
      : `set WC_ROLLOUT_TARGET to an address where this machine reaches NodePort ${NODE_PORT} (the host reference cases load from here only; WC_ROLLOUT_LOAD=pod is refused for them)`;
  return new HarnessError('reaching the rollout Service through its NodePort', what, hint);
}

export async function placeLoad(settings: Omit<LoadSettings, 'target'>, p: Placement): Promise<LoadSource> {
  if (p.where === 'pod') return p.startPod(settings);
  if (p.hostTarget !== undefined && await reachable(`${p.hostTarget}${settings.path}`, p.reachTimeoutMs ?? 30_000)) {
    return startHostLoad({ ...settings, target: p.hostTarget });
  }
  if (p.where === 'auto' && p.clusterMode === 'existing') return p.startPod(settings);
  throw unreachableHostTarget(p, settings.path);
}
