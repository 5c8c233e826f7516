import type { InClusterClient } from '../lib/kit/index.ts';
import {
  awaitAnswerFrom, awaitEndpoints, awaitPod, awaitServiceEndpoint, describeEndpoints, endpointOfPod, execInPod, isPodReady,
  podReady, podRunning, readPod, retrying, runCase, sendRequests, startClient, useTestNamespace,
} from '../lib/kit/index.ts';

// One pod's life behind a Service, in order: not ready, turned ready, terminating. web-steady is always
// ready, so the Service always answers and "no traffic to web-gated" is a fact about routing, not an outage.
const BEHAVIOUR = 'Readiness gates Service endpoints';
const GATED = 'web-gated';
const STEADY = 'web-steady';
const REQUESTS = 30;
const t = useTestNamespace('readiness-endpoints');
let client: InClusterClient;
let serviceUrl: string;

beforeAll(async () => {
  await t.apply('readiness-service.yaml');
  client = await startClient(t);
  await awaitPod(t, STEADY, podReady(), `${STEADY} to be Ready`);
  await awaitPod(t, GATED, podRunning(), `${GATED} to be Running (it is not Ready until the test says so)`);
  const service = await retrying('reading Service web', () => t.kube.core.readNamespacedService({ name: 'web', namespace: t.ns }));
  serviceUrl = `http://${service.spec?.clusterIP}/hostname`;
});

test('a pod failing its readiness probe is not a ready endpoint of the Service and receives no traffic through it', async () => {
  await runCase(BEHAVIOUR, 'not ready: listed as not ready, no traffic', async (seen) => {
    // web-steady's Ready reaches the slices a moment after the pod (the EndpointSlice controller lags on a busy
    // node: once it was still listed not ready here), and kube-proxy a moment after the slices: the burst is
    // sent once both show it, so that it measures routing, not a Service still being programmed.
    const endpoints = await awaitEndpoints(t, 'web', (all) => {
      const gated = endpointOfPod(all, GATED);
      return gated !== undefined && !gated.ready && endpointOfPod(all, STEADY)?.ready === true;
    }, `${GATED} listed as not ready, ${STEADY} as ready`);
    await awaitAnswerFrom(client, serviceUrl, STEADY);
    const tally = await sendRequests(client, serviceUrl, REQUESTS);
    const pod = await readPod(t, GATED);
    Object.assign(seen, { endpoints: describeEndpoints(endpoints), requests: REQUESTS, answers: tally.byHostname,
      failures: tally.failures, gatedPodReady: isPodReady(pod) });
    expect(isPodReady(pod)).toBe(false);
    expect(tally.byHostname[GATED]).toBeUndefined();
    expect(tally.byHostname[STEADY]).toBe(REQUESTS);
  });
});

test('a Service with publishNotReadyAddresses lists the same not-ready pod as a ready endpoint anyway', async () => {
  await runCase(BEHAVIOUR, 'control: publishNotReadyAddresses', async (seen) => {
    const endpoints = await awaitServiceEndpoint(t, 'web-published', GATED, (e) => e?.ready === true, 'as ready');
    const pod = await readPod(t, GATED);
    Object.assign(seen, { endpoints: describeEndpoints(endpoints), gatedPodReady: isPodReady(pod) });
    expect(isPodReady(pod)).toBe(false);
    expect(endpointOfPod(endpoints, GATED)?.ready).toBe(true);
  });
});

test('a pod that turns ready is added to the Service\'s ready endpoints and then receives traffic', async () => {
  await runCase(BEHAVIOUR, 'turns ready: added, receives traffic', async (seen) => {
    const started = Date.now();
    const touched = await execInPod(t.kube, t.ns, GATED, 'web', ['touch', '/tmp/ready'], 30_000);
    expect(touched.exitCode).toBe(0);
    const endpoints = await awaitServiceEndpoint(t, 'web', GATED, (e) => e?.ready === true, 'as ready');
    const readyAfterMs = Date.now() - started;
    const { value: tally, attempts } = await awaitAnswerFrom(client, serviceUrl, GATED);
    Object.assign(seen, { endpoints: describeEndpoints(endpoints), readyEndpointAfterMs: readyAfterMs,
      firstAnswerAfterMs: Date.now() - started, bursts: attempts, answers: tally.byHostname });
    expect(tally.byHostname[GATED]).toBeGreaterThan(0);
  });
});

test('a pod that is terminating is shown terminating, and no longer ready, in the Service\'s EndpointSlices', async () => {
  await runCase(BEHAVIOUR, 'terminating: shown terminating', async (seen) => {
    await retrying(`deleting pod ${GATED}`, () => t.kube.core.deleteNamespacedPod({ name: GATED, namespace: t.ns }));
    const endpoints = await awaitServiceEndpoint(t, 'web', GATED, (e) => e?.terminating === true, 'as terminating');
    const gated = endpointOfPod(endpoints, GATED);
    Object.assign(seen, { endpoints: describeEndpoints(endpoints) });
    expect(gated).toMatchObject({ terminating: true, ready: false });
  });
});
