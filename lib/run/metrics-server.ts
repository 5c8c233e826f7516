import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject, V1APIService, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { podReady } from '../kit/conditions.ts';
import { messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { isNotFound, retrying, statusOf } from '../kit/kube.ts';
import { MANAGED_BY, MANAGED_BY_VALUE } from '../kit/labels.ts';
import { loadManifest } from '../kit/manifests.ts';
import { apiServices, awaitMetricsApi, METRICS_APISERVICE } from '../kit/metrics-api.ts';
import { pods } from '../kit/sources.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { waitFor, WaitTimeoutError } from '../kit/wait.ts';

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
const SERVICE = 'metrics-server';
const POD_SELECTOR = 'k8s-app=metrics-server';

// How long the aggregator gets to find metrics-server serving before the install is looked into. It usually
// takes seconds from the APIService's creation. Twice (CI 2026-11-23 for 13 minutes, and a run here on
// 2026-12-02) every discovery check got 404 from the Service's address while the pod was Ready and served the
// path: the API server's discovery connections to the ClusterIP had been opened before kube-proxy had rules for
// it (the node's conntrack showed them un-NATed), so they left the node, and this machine's transparent egress
// proxy answered them (TLS on any address, 404 for any path; the aggregator verifies no certificate). The
// checks reuse those keep-alive connections every 30 s, so they never recovered; replacing the pod did nothing.
// The kind clusters this harness creates route the aggregator to the pod IP (kind-config.yaml); elsewhere the
// setup breaks such connections the one way the API allows (reconnectAggregator).
export const FIRST_LOOK_MS = 60_000;

// The aggregator's availability checks share one cached client-go transport, which closes a connection after
// 90 s unused (IdleConnTimeout, taken from Go's http.DefaultTransport); while the APIService exists the checks
// use it every 30 s. Measured on a kind node: the API server's two connections to the Service closed 90 s after
// the APIService was deleted. A fixed wait, because the API cannot show when the connections close.
export const AGGREGATOR_IDLE_CLOSE_MS = 95_000;

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
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`), timeoutMs = TIMEOUTS.addOn, firstLookMs = FIRST_LOOK_MS): Promise<MetricsServer> {
  const started = Date.now();
  const { items } = await retrying('looking for the metrics API', apiServices(kube).list);
  if (items.length) {
    log(`[wc] metrics-server: the cluster already has APIService ${METRICS_APISERVICE}; using it`);
    // Only an install of this harness (an earlier run's, by its labels) is ever repaired; anyone else's is waited for.
    if (installedByUs(items[0]!)) await awaitServing(kube, timeoutMs, firstLookMs, log);
    else await awaitMetricsApi(kube, timeoutMs);
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
  await awaitServing(kube, remaining(timeoutMs, started), firstLookMs, log);
  const readyAfterMs = Date.now() - started;
  log(`[wc] metrics-server: serving ${METRICS_APISERVICE} after ${(readyAfterMs / 1000).toFixed(1)} s`);
  return { installed: true, image, readyAfterMs };
}

/** The APIService was made by this harness (so it, and the add-on behind it, may be repaired by it). */
export function installedByUs(service: V1APIService): boolean {
  return service.metadata?.labels?.[MANAGED_BY] === MANAGED_BY_VALUE;
}

/**
 * Waits for the APIService to be Available. If it is not within `firstLookMs`, logs what the serving path
 * shows, has the aggregator reconnect (reconnectAggregator) and waits for the rest of `timeoutMs`.
 */
async function awaitServing(kube: Kube, timeoutMs: number, firstLookMs: number, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  try {
    await awaitMetricsApi(kube, Math.min(firstLookMs, timeoutMs));
    return;
  } catch (err) {
    if (!(err instanceof WaitTimeoutError) || firstLookMs >= timeoutMs) throw err;
  }
  const [service] = (await apiServices(kube).list().catch(() => ({ items: [] as V1APIService[] }))).items;
  log(`[wc] metrics-server: ${METRICS_APISERVICE} not Available after ${firstLookMs / 1000} s ` +
    `(${availability(service)}); the serving path: ${await describeServingPath(kube)}`);
  const reconnected = service ? await reconnectAggregator(kube, service, log) : false;
  const after = reconnected ? 'after the aggregator reconnected' : 'without a reconnect';
  try {
    await awaitMetricsApi(kube, remaining(timeoutMs, started));
  } catch (err) {
    log(`[wc] metrics-server: still not serving ${after}; the serving path: ${await describeServingPath(kube)}`);
    throw err;
  }
  log(`[wc] metrics-server: Available ${after} (${((Date.now() - started) / 1000).toFixed(1)} s of waiting in all)`);
}

/**
 * Makes the API server drop its discovery connections to the metrics Service: deletes the APIService (the
 * checks stop), waits until client-go's transport has closed the idle connections, and creates it again, so
 * the next check connects anew through kube-proxy's rules as they are now. False when someone else (another
 * run's setup, finding no metrics API in the meantime) created it during the wait: the old connections may
 * then be in use again. On a shared cluster other runs' HPA checks lose the metrics API for the wait.
 */
async function reconnectAggregator(kube: Kube, service: V1APIService, log: (line: string) => void): Promise<boolean> {
  const again: V1APIService = {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: service.metadata!.name!, ...(service.metadata?.labels ? { labels: service.metadata.labels } : {}),
      ...(service.metadata?.annotations ? { annotations: service.metadata.annotations } : {}) },
    spec: service.spec!,
  };
  log(`[wc] metrics-server: deleting ${METRICS_APISERVICE} for ${AGGREGATOR_IDLE_CLOSE_MS / 1000} s, until the API server ` +
    'has closed its idle connections to the Service, then creating it again');
  await retrying(`deleting APIService ${METRICS_APISERVICE}`, () => kube.objects.delete(again).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  }));
  await sleep(AGGREGATOR_IDLE_CLOSE_MS);
  if (await create(kube, again)) return true;
  log(`[wc] metrics-server: ${METRICS_APISERVICE} was created again by someone else during the wait; waiting for it as it is`);
  return false;
}

/** What is left of a budget, but never less than MIN_LOOK_MS: a wait with no time left would not even list once. */
const MIN_LOOK_MS = 10_000;
function remaining(budgetMs: number, since: number): number {
  return Math.max(budgetMs - (Date.now() - since), MIN_LOOK_MS);
}

function availability(service: V1APIService | undefined): string {
  const c = service?.status?.conditions?.find((x) => x.type === 'Available');
  return c ? `Available=${c.status}, ${c.reason}: ${c.message}` : 'no Available condition';
}

/** Where a discovery request for the metrics API goes, and what answers it there, in one line. */
export async function describeServingPath(kube: Kube, limitMs = 10_000): Promise<string> {
  // Each read gets limitMs: the API server does not time out a proxied request the way it does a list.
  const bounded = <T>(what: Promise<T>, failed: (err: unknown) => T): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(failed(new Error(`no answer in ${limitMs / 1000} s`))), limitMs); });
    return Promise.race([what.then((v) => v, failed), late]).finally(() => clearTimeout(timer));
  };
  const items = <T>(what: Promise<{ items: T[] }>) => bounded<T[] | string>(what.then((r) => r.items), (err: unknown) => messageOf(err));
  const [podList, slices, answer] = await Promise.all([
    items(kube.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: POD_SELECTOR })),
    items(kube.discovery.listNamespacedEndpointSlice({ namespace: NAMESPACE, labelSelector: `kubernetes.io/service-name=${SERVICE}` })),
    bounded<number | string>(kube.core.connectGetNamespacedServiceProxyWithPath({ name: `https:${SERVICE}:443`, namespace: NAMESPACE,
      path: 'apis/metrics.k8s.io/v1beta1' }).then(() => 200), (err: unknown) => statusOf(err) ?? messageOf(err)),
  ]);
  return servingPathSummary(podList, slices, answer);
}

/** describeServingPath's line, from what it read (a string where a read failed). */
export function servingPathSummary(podList: V1Pod[] | string, slices: V1EndpointSlice[] | string,
  proxyAnswer: number | string): string {
  const podsSaid = typeof podList === 'string' ? `pods unreadable (${podList})`
    : podList.length === 0 ? 'no pod' : podList.map((p) => {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const restarts = p.status?.containerStatuses?.reduce((n, c) => n + c.restartCount, 0) ?? 0;
      return `pod ${p.metadata?.name} ${p.status?.podIP ?? 'no IP'} ${ready ? 'Ready' : 'not Ready'} restarts=${restarts}`;
    }).join(', ');
  const slicesSaid = typeof slices === 'string' ? `EndpointSlices unreadable (${slices})` : `endpoints ${
    slices.flatMap((s) => (s.endpoints ?? []).map((e) => `${e.addresses.join('/')}${e.conditions?.ready === false ? ' (not ready)' : ''}` +
      `:${s.ports?.map((p) => p.port).join('/') ?? '?'}`)).join(', ') || 'none'}`;
  // The service proxy goes to the endpoint's address itself (not through the Service address and kube-proxy),
  // as an identity metrics-server does not authorize. An API server checks who asks before it looks at the path,
  // so 403 (or 200/401) says an API server answers at the endpoint, not that it serves the path; 404 says
  // whatever answers there does not know the path.
  const answered = typeof proxyAnswer === 'number' && [200, 401, 403].includes(proxyAnswer);
  const answerSaid = typeof proxyAnswer === 'number'
    ? `GET /apis/metrics.k8s.io/v1beta1 through the API server's service proxy: ${proxyAnswer}` +
      (answered ? ' (an API server answers at the endpoint itself: if the aggregator gets 404 from the Service address, its connection ends elsewhere)' : '')
    : `the service proxy failed (${proxyAnswer})`;
  return `${podsSaid}; ${slicesSaid}; ${answerSaid}`;
}
