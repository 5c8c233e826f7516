/** `node lib/run/cli/down.ts`: deletes the kind cluster named by WC_CLUSTER_NAME (default workload-conformance). */
import { kubeconfigFor } from '../cluster.ts';
import { loadConfig } from '../config.ts';
import { HarnessError } from '../../kit/errors.ts';
import { KindCli } from '../kind.ts';
import { readArtefacts } from '../offline.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const config = loadConfig();
  if (config.mode !== 'kind') {
    throw new HarnessError('deleting the cluster', 'WC_KUBECONFIG is set: the harness never deletes an existing cluster',
      'unset WC_KUBECONFIG and set WC_CLUSTER_NAME to the kind cluster to delete');
  }
  const kind = new KindCli(config.offline ? readArtefacts(config.cacheDir).kind : 'kind');
  if (!(await kind.clusters()).includes(config.clusterName)) {
    stderrLog(`[wc] no kind cluster named ${config.clusterName}`);
    return;
  }
  await kind.delete(config.clusterName, kubeconfigFor(config));
  stderrLog(`[wc] deleted kind cluster ${config.clusterName}`);
});
