/**
 * `npx workload-conformance up` (online) or `npm run offline:up` (builds what is missing first, WC_OFFLINE=1): brings
 * the kind cluster up with its nodes pulling through the local registry, and keeps it. `WC_OFFLINE=1 npm test` then reuses it
 * (a reused cluster is never deleted); `npx workload-conformance down` removes it. The commands it prints are
 * the CLI's, with the WC_* settings that found this cluster: they work as typed on any Node that runs npx
 * (the bin picks a new-enough one), from a checkout or a project that installed the package.
 */
import { bringUpCluster } from '../cluster.ts';
import { loadConfig } from '../config.ts';
import { HarnessError } from '../../kit/errors.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';
import { clusterEnv } from './hints.ts';

runCli(async () => {
  const config = loadConfig({ ...process.env, WC_KEEP_CLUSTER: '1' });
  if (config.mode !== 'kind') {
    throw new HarnessError('bringing the cluster up', 'WC_KUBECONFIG is set: that cluster is used as it is, not brought up',
      'unset WC_KUBECONFIG to bring up a kind cluster');
  }
  const started = Date.now();
  const cluster = await bringUpCluster(config, { log: stderrLog });
  stderrLog(`[wc] kind cluster ${cluster.clusterName} is up (${Math.round((Date.now() - started) / 1000)}s), ` +
    `Kubernetes ${cluster.serverVersion}, kept.`);
  stderrLog(`[wc] run the suite on it:   ${clusterEnv(config, process.env)}npx workload-conformance run`);
  stderrLog(`[wc] or as an existing one:  npx workload-conformance run --kubeconfig ${cluster.kubeconfigPath} --context ${cluster.context}`);
  stderrLog(`[wc] remove it:               ${clusterEnv(config, process.env, { kindConfig: false })}npx workload-conformance down`);
});
