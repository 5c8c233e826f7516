import type { KubernetesObject } from '@kubernetes/client-node';
import { podReady } from '../kit/conditions.ts';
import type { Kube } from '../kit/kube.ts';
import { isNotFound, retrying, statusOf } from '../kit/kube.ts';
import { loadManifest } from '../kit/manifests.ts';
import { apiServices, awaitMetricsApi, METRICS_APISERVICE } from '../kit/metrics-api.ts';
import { pods } from '../kit/sources.ts';
import { waitFor } from '../kit/wait.ts';

// The resource metrics API (metrics.k8s.io) an HPA reads is served by an add-on, metrics-server, which kind does
// not install. When the cluster lacks it (no v1beta1.metrics.k8s.io APIService) the run's setup installs,
// with the credentials the run was given (an admin's: these are cluster-scoped objects), the run's image
// (the offline build's, or WC_METRICS_SERVER_IMAGE) from manifests/metrics-server.yaml into
// kube-system, and leaves it there as a cluster add-on: its objects carry the run's labels, so they can be told
// apart from anyone else's. A cluster that already serves the API is used as it is.
//
// The APIService is created last, once metrics-server is Ready: an APIService whose backend is down makes API
// discovery fail for the whole cluster, and namespaces then cannot finish deleting, everyone's included.

const NAMESPACE = 'kube-system';

export interface MetricsServer {
  /** This call installed it (the cluster had none). */
  installed: boolean;
  image?: string;
  /** From the call to the APIService being Available. */
  readyAfterMs: number;
}

async function create(kube: Kube, obj: KubernetesObject): Promise<boolean> {
  try {
    await retrying(`creating ${obj.kind}/${obj.metadata?.name}`, () => kube.objects.create(obj));
    return true;
  } catch (err) {
    if (statusOf(err) === 409) return false; // left by an earlier install: used as it is
    throw err;
  }
}

/** Makes sure the cluster serves metrics.k8s.io, installing metrics-server `image` when it does not. */
export async function ensureMetricsServer(kube: Kube, image: string | undefined, runId: string,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`), timeoutMs = 180_000): Promise<MetricsServer> {
  const started = Date.now();
  const { items } = await retrying('looking for the metrics API', apiServices(kube).list);
  if (items.length) {
    log(`[wc] metrics-server: the cluster already has APIService ${METRICS_APISERVICE}; using it`);
    await awaitMetricsApi(kube, timeoutMs);
    return { installed: false, readyAfterMs: Date.now() - started };
  }
  if (!image) {
    throw new Error(`the cluster has no ${METRICS_APISERVICE} APIService and this run names no metrics-server image: ` +
      'set WC_METRICS_SERVER_IMAGE, or rebuild the offline artefacts (npm run offline:build)');
  }
  log(`[wc] metrics-server: the cluster has none; installing ${image} into ${NAMESPACE}`);
  const objects = loadManifest('metrics-server.yaml', { METRICS_SERVER_IMAGE: image }, runId);
  const apiService = objects.filter((o) => o.kind === 'APIService');
  const created: KubernetesObject[] = [];
  try {
    for (const obj of objects.filter((o) => o.kind !== 'APIService')) {
      if (await create(kube, obj)) created.push(obj);
    }
    await waitFor({ ...pods(kube, NAMESPACE, { labelSelector: 'k8s-app=metrics-server' }),
      description: 'metrics-server to be Ready', predicate: podReady(1), timeoutMs });
  } catch (err) {
    // Never leave a half-installed add-on: remove what this call created (no APIService exists yet).
    for (const obj of created.reverse()) {
      await kube.objects.delete(obj).catch((e: unknown) => {
        if (!isNotFound(e)) log(`[wc] could not remove ${obj.kind}/${obj.metadata?.name}: ${(e as Error).message}`);
      });
    }
    throw err;
  }
  for (const obj of apiService) await create(kube, obj);
  await awaitMetricsApi(kube, timeoutMs);
  const readyAfterMs = Date.now() - started;
  log(`[wc] metrics-server: serving ${METRICS_APISERVICE} after ${(readyAfterMs / 1000).toFixed(1)} s`);
  return { installed: true, image, readyAfterMs };
}
