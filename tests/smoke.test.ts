import { StorageV1Api } from '@kubernetes/client-node';
import type { InClusterClient } from '../lib/kit/index.ts';
import {
  awaitClaimBound, awaitEndpoints, awaitFromHost, awaitPod, awaitResolution, containerRestarted, containerTerminated, describeResolution,
  hostAddressFor, nodes, nodesReady, podRunning, podSucceeded, runCase, TIMEOUTS, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

/**
 * The cluster can do what the behaviour tests rely on, each shown with the real components: node, DNS,
 * storage, NodePort from the host, OOM kill, liveness restart.
 */
const BEHAVIOUR = 'cluster smoke';
const t = useTestNamespace('smoke');

beforeAll(async () => {
  // Everything starts at once so the slow parts (liveness, OOM) overlap.
  for (const file of ['smoke-dns.yaml', 'smoke-pvc.yaml', 'smoke-nodeport.yaml', 'smoke-oom.yaml', 'smoke-liveness.yaml']) {
    await t.apply(file);
  }
});

test('every node MUST be Ready', async () => {
  await runCase(BEHAVIOUR, 'node Ready', async (observations) => {
    const ready = await waitFor({ description: 'every node Ready', ...nodes(t.kube), predicate: nodesReady(), timeoutMs: TIMEOUTS.assert });
    observations.nodes = ready.map((n) => `${n.metadata?.name} (${n.status?.nodeInfo?.kubeletVersion})`);
    expect(ready.length).toBeGreaterThanOrEqual(1);
  });
});

test('CoreDNS MUST answer a Service name from inside a pod with the Service\'s cluster IP', async () => {
  await runCase(BEHAVIOUR, 'CoreDNS answers a Service name', async (observations) => {
    await awaitPod(t, 'smoke-dns-client', podRunning(), 'the DNS client pod Running', TIMEOUTS.pod);
    const service = await t.kube.core.readNamespacedService({ name: 'smoke-dns', namespace: t.ns });
    const clusterIP = service.spec?.clusterIP;
    const client: InClusterClient = { place: t, pod: 'smoke-dns-client', container: 'client' };
    const fqdn = `smoke-dns.${t.ns}.svc.cluster.local`;
    const { value } = await awaitResolution(client, fqdn, (r) => r.outcome === 'resolved' && r.addresses.includes(clusterIP ?? ''),
      `to the Service's cluster IP ${clusterIP}`, TIMEOUTS.assert);
    const answer = describeResolution(value);
    Object.assign(observations, { name: fqdn, clusterIP, answer });
    expect(answer).toContain(clusterIP);
  });
});

test('a claim without a class MUST be bound by the default StorageClass and be writable by a pod', async () => {
  await runCase(BEHAVIOUR, 'PVC bound by the default StorageClass and written', async (observations) => {
    await awaitPod(t, 'smoke-pvc-writer', podSucceeded(), 'the writer pod to succeed', TIMEOUTS.workload);
    const claim = await awaitClaimBound(t, 'smoke-data');
    const classes = await t.kube.kc.makeApiClient(StorageV1Api).listStorageClass();
    const defaults = classes.items.filter((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
      .map((c) => c.metadata?.name);
    const written = await t.kube.core.readNamespacedPodLog({ name: 'smoke-pvc-writer', namespace: t.ns, container: 'writer' });
    Object.assign(observations, { claim: 'smoke-data', volume: claim.spec?.volumeName, storageClass: claim.spec?.storageClassName,
      defaultClasses: defaults, written: written.trim() });
    expect(defaults).toContain(claim.spec?.storageClassName);
    expect(written).toContain('written-by-smoke-pvc-writer');
  });
});

test('a NodePort Service MUST be reachable from the host through the kind config\'s port mapping (127.0.0.1:30081)', async () => {
  await runCase(BEHAVIOUR, 'NodePort reached from the host', async (observations) => {
    const url = `http://${hostAddressFor(t.run.kindConfigPath, 30081)}/hostname`;
    await awaitEndpoints(t, 'smoke-nodeport', (eps) => eps.some((e) => e.conditions?.ready), 'a ready endpoint', TIMEOUTS.pod);
    const { value: answer } = await awaitFromHost(url, (a) => 'status' in a && a.status === 200, TIMEOUTS.assert);
    const hostname = 'body' in answer ? answer.body.trim() : '';
    Object.assign(observations, { url, answeredBy: hostname });
    expect(hostname).toBe('smoke-nodeport-web');
  });
});

test('a container allocating past its 50Mi memory limit MUST be OOM-killed with exit code 137', async () => {
  await runCase(BEHAVIOUR, 'OOM kill at a 50Mi limit', async (observations) => {
    const terminated = await awaitPod(t, 'smoke-oom', containerTerminated('hog'), 'container hog of pod smoke-oom to terminate',
      TIMEOUTS.workload);
    // The reason can be lost by containerd (kubernetes #119600); the exit code is the hard condition.
    Object.assign(observations, { exitCode: terminated.exitCode, reason: terminated.reason ?? '(none reported)' });
    expect(terminated.exitCode).toBe(137);
  });
});

test('a container whose liveness probe starts failing MUST be restarted by the kubelet', async () => {
  await runCase(BEHAVIOUR, 'liveness probe failure restarts the container', async (observations) => {
    const status = await awaitPod(t, 'smoke-liveness', containerRestarted('liveness', 1),
      'container liveness of pod smoke-liveness to restart', TIMEOUTS.workload);
    Object.assign(observations, { restartCount: status.restartCount, lastTermination: status.lastState?.terminated?.reason });
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
  });
});
