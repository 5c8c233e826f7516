import { HarnessError, messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { statusOf } from '../kit/kube.ts';

/**
 * Asks the API server for its version with a short deadline, so that a wrong or dead cluster is one
 * clear error within seconds instead of every test timing out. Returns the server's git version.
 */
export async function checkReachable(kube: Kube, timeoutMs = 10_000): Promise<string> {
  const server = kube.kc.getCurrentCluster()?.server ?? '(no server in the kubeconfig)';
  const where = `${server} (context ${kube.kc.getCurrentContext()} in ${kube.kubeconfigPath})`;
  const hint = 'check that the cluster is running and that WC_KUBECONFIG and WC_CONTEXT point at it';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError('connecting to the cluster',
      `the API server at ${where} did not answer within ${Math.round(timeoutMs / 1000)}s`, hint)), timeoutMs);
    timer.unref();
  });
  try {
    const info = await Promise.race([kube.version.getCode(), deadline]);
    return info.gitVersion;
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    const status = statusOf(err);
    if (status === 401 || status === 403) {
      throw new HarnessError('connecting to the cluster', `the API server at ${where} refused the credentials (HTTP ${status})`,
        'refresh the credentials in the kubeconfig, or pick another context with WC_CONTEXT');
    }
    throw new HarnessError('connecting to the cluster', `cannot reach the API server at ${where}: ${messageOf(err)}`, hint);
  } finally {
    clearTimeout(timer);
  }
}
