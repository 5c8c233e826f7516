/**
 * `npm run offline:up`: builds what is missing (done by the npm script before this), brings the offline
 * kind cluster up with the workload images loaded, and keeps it. `WC_OFFLINE=1 npm test` then reuses it
 * (a reused cluster is never deleted); `node lib/run/cli/down.ts` removes it.
 */
import { bringUpCluster } from '../cluster.ts';
import { loadConfig } from '../config.ts';
import { HarnessError } from '../../kit/errors.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const config = loadConfig({ WC_OFFLINE: '1', ...process.env, WC_KEEP_CLUSTER: '1' });
  if (config.mode !== 'kind') {
    throw new HarnessError('bringing the cluster up', 'WC_KUBECONFIG is set: that cluster is used as it is, not brought up',
      'unset WC_KUBECONFIG to bring up a kind cluster');
  }
  const started = Date.now();
  const cluster = await bringUpCluster(config, { log: stderrLog });
  stderrLog(`[wc] kind cluster ${cluster.clusterName} is up (${Math.round((Date.now() - started) / 1000)}s), ` +
    `Kubernetes ${cluster.serverVersion}, kept.`);
  const kindConfig = process.env.WC_KIND_CONFIG ? `WC_KIND_CONFIG=${config.kindConfigPath} ` : '';
  stderrLog(`[wc] run the suite on it:   ${config.offline ? 'WC_OFFLINE=1 ' : ''}${kindConfig}WC_CLUSTER_NAME=${cluster.clusterName} npm test`);
  stderrLog(`[wc] or as an existing one:  WC_KUBECONFIG=${cluster.kubeconfigPath} WC_CONTEXT=${cluster.context} npm test`);
  stderrLog(`[wc] remove it:               WC_CLUSTER_NAME=${cluster.clusterName} node lib/run/cli/down.ts`);
});
