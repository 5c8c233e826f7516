/**
 * `npx workload-conformance down` (or `node scripts/node.cjs node lib/run/cli/down.ts`): deletes the kind cluster named by WC_CLUSTER_NAME (default workload-conformance),
 * unless a run of the suite still holds a lease on it (cluster-sharing.ts): it is refused then, naming them.
 */
import { kubeconfigFor } from '../cluster.ts';
import { otherLiveRuns } from '../cluster-sharing.ts';
import { loadConfig } from '../config.ts';
import { HarnessError } from '../../kit/errors.ts';
import { KindCli } from '../kind.ts';
import { connect } from '../../kit/kube.ts';
import { readArtefacts } from '../offline.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const config = loadConfig();
  if (config.mode !== 'kind') {
    throw new HarnessError('deleting the cluster', 'WC_KUBECONFIG is set: the harness never deletes an existing cluster',
      'unset WC_KUBECONFIG and set WC_CLUSTER_NAME to the kind cluster to delete');
  }
  const kind = new KindCli(config.offline ? readArtefacts(config.cacheDir, config.kubernetes.minor).kind : 'kind');
  if (!(await kind.clusters()).includes(config.clusterName)) {
    stderrLog(`[wc] no kind cluster named ${config.clusterName}`);
    return;
  }
  const kubeconfig = kubeconfigFor(config);
  await kind.exportKubeconfig(config.clusterName, kubeconfig);
  const live = await otherLiveRuns(connect(kubeconfig, `kind-${config.clusterName}`), '');
  if (live === undefined || live.length) {
    const who = live ? `run(s) ${live.map((l) => `${l.runId} (${l.holder}, renewed ${l.sinceRenewSeconds}s ago)`).join(', ')} still hold a lease on it`
      : 'the run leases on it could not be read';
    throw new HarnessError('deleting the cluster', `not deleting kind cluster ${config.clusterName}: ${who}`,
      `wait until they finish (a killed run's lease expires within 2 minutes), or delete it anyway: ${kind.bin} delete cluster --name ${config.clusterName}`);
  }
  await kind.delete(config.clusterName, kubeconfig);
  stderrLog(`[wc] deleted kind cluster ${config.clusterName}`);
});
