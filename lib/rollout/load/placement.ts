// Where the load runs. From the test process through the NodePort whenever it answers (on kind that is
// 127.0.0.1:30080 via extraPortMappings, so requests cross kube-proxy like a real client's); on an
// existing cluster whose NodePort this machine cannot reach, from a pod inside the cluster instead.
import { HarnessError } from '../../kit/errors.ts';
import { startHostLoad } from './host-source.ts';
import { reachable } from './reachable.ts';
import type { LoadSettings, LoadSource } from './source.ts';

export type LoadWhere = 'auto' | 'host' | 'pod';

export interface Placement {
  where: LoadWhere;
  clusterMode: 'kind' | 'existing';
  /** Origin of the NodePort as this machine sees it. */
  hostTarget: string;
  /** Starts the in-cluster generator against the Service's in-cluster address. */
  startPod(settings: Omit<LoadSettings, 'target'>): Promise<LoadSource>;
  reachTimeoutMs?: number;
}

export async function placeLoad(settings: Omit<LoadSettings, 'target'>, p: Placement): Promise<LoadSource> {
  if (p.where === 'pod') return p.startPod(settings);
  if (await reachable(`${p.hostTarget}${settings.path}`, p.reachTimeoutMs ?? 30_000)) {
    return startHostLoad({ ...settings, target: p.hostTarget });
  }
  if (p.where === 'auto' && p.clusterMode === 'existing') return p.startPod(settings);
  throw new HarnessError(
    'reaching the rollout Service through its NodePort',
    `${p.hostTarget}${settings.path} did not answer`,
    p.clusterMode === 'kind'
      ? 'the kind cluster must map NodePort 30080 to 127.0.0.1 (kind-config.yaml extraPortMappings); recreate it with that config'
      : 'set WC_ROLLOUT_TARGET to an address where this machine reaches NodePort 30080 (the host reference cases load from here only; WC_ROLLOUT_LOAD=pod is refused for them)',
  );
}
