import { StorageV1Api } from '@kubernetes/client-node';
import { request } from 'undici';
import { containerRestarted, containerTerminated, endpointsFor, nodesReady, podRunning, podSucceeded, pvcBound } from '../lib/conditions.ts';
import { execInPod } from '../lib/exec.ts';
import { useTestNamespace } from '../lib/fixture.ts';
import { hostAddressFor } from '../lib/kind-config.ts';
import { runCase } from '../lib/report.ts';
import { endpointSlices, nodes, persistentVolumeClaims, pods } from '../lib/sources.ts';
import { waitFor } from '../lib/wait.ts';

/**
 * The cluster can do what the behaviour tests rely on, each shown with the real components: node, DNS,
 * storage, NodePort from the host, OOM kill, liveness restart.
 */
const BEHAVIOUR = 'cluster smoke';
const t = useTestNamespace('smoke');
const MINUTE = 60_000;

beforeAll(async () => {
  // Everything starts at once so the slow parts (liveness, OOM) overlap.
  for (const file of ['smoke-dns.yaml', 'smoke-pvc.yaml', 'smoke-nodeport.yaml', 'smoke-oom.yaml', 'smoke-liveness.yaml']) {
    await t.apply(file);
  }
});

/** Repeats an active probe until it succeeds or the deadline passes: each try is an observation. */
async function probeUntil<T>(what: string, deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
  const end = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`${what} did not succeed within ${deadlineMs / 1000}s; last error: ${(lastError as Error)?.message ?? lastError}`);
}

test('every node MUST be Ready', async () => {
  await runCase(BEHAVIOUR, 'node Ready', async (observations) => {
    const ready = await waitFor({ description: 'every node Ready', ...nodes(t.kube), predicate: nodesReady(), timeoutMs: MINUTE });
    observations.nodes = ready.map((n) => `${n.metadata?.name} (${n.status?.nodeInfo?.kubeletVersion})`);
    expect(ready.length).toBeGreaterThanOrEqual(1);
  });
});

test('CoreDNS MUST answer a Service name from inside a pod with the Service\'s cluster IP', async () => {
  await runCase(BEHAVIOUR, 'CoreDNS answers a Service name', async (observations) => {
    await waitFor({ description: 'the DNS client pod Running', ...pods(t.kube, t.ns, { name: 'smoke-dns-client' }),
      predicate: podRunning(), timeoutMs: 2 * MINUTE });
    const service = await t.kube.core.readNamespacedService({ name: 'smoke-dns', namespace: t.ns });
    const clusterIP = service.spec?.clusterIP;
    // busybox nslookup is unreliable with search-path names: ask for the absolute name.
    const fqdn = `smoke-dns.${t.ns}.svc.cluster.local`;
    const answer = await probeUntil(`nslookup ${fqdn}`, MINUTE, async () => {
      const r = await execInPod(t.kube, t.ns, 'smoke-dns-client', 'client', ['nslookup', fqdn]);
      if (r.exitCode !== 0 || !clusterIP || !r.stdout.includes(clusterIP)) throw new Error(`exit ${r.exitCode}: ${r.stdout}${r.stderr}`);
      return r.stdout;
    });
    Object.assign(observations, { name: fqdn, clusterIP, answer: answer.trim() });
    expect(answer).toContain(clusterIP);
  });
});

test('a claim without a class MUST be bound by the default StorageClass and be writable by a pod', async () => {
  await runCase(BEHAVIOUR, 'PVC bound by the default StorageClass and written', async (observations) => {
    await waitFor({ description: 'the writer pod to succeed', ...pods(t.kube, t.ns, { name: 'smoke-pvc-writer' }),
      predicate: podSucceeded(), timeoutMs: 3 * MINUTE });
    const claim = await waitFor({ description: 'claim smoke-data Bound', ...persistentVolumeClaims(t.kube, t.ns, { name: 'smoke-data' }),
      predicate: pvcBound(), timeoutMs: MINUTE });
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
    await waitFor({ description: 'service smoke-nodeport to have a ready endpoint', ...endpointSlices(t.kube, t.ns, 'smoke-nodeport'),
      predicate: endpointsFor('smoke-nodeport', (eps) => eps.some((e) => e.conditions?.ready), 'ready'), timeoutMs: 2 * MINUTE });
    // kube-proxy programs the node port asynchronously (minSyncPeriod 1 s): probe until it answers.
    const hostname = await probeUntil(`GET ${url}`, MINUTE, async () => {
      const response = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 });
      const body = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${body}`);
      return body.trim();
    });
    Object.assign(observations, { url, answeredBy: hostname });
    expect(hostname).toBe('smoke-nodeport-web');
  });
});

test('a container allocating past its 50Mi memory limit MUST be OOM-killed with exit code 137', async () => {
  await runCase(BEHAVIOUR, 'OOM kill at a 50Mi limit', async (observations) => {
    const terminated = await waitFor({ description: 'container hog of pod smoke-oom to terminate',
      ...pods(t.kube, t.ns, { name: 'smoke-oom' }), predicate: containerTerminated('hog'), timeoutMs: 3 * MINUTE });
    // The reason can be lost by containerd (kubernetes #119600); the exit code is the hard condition.
    Object.assign(observations, { exitCode: terminated.exitCode, reason: terminated.reason ?? '(none reported)' });
    expect(terminated.exitCode).toBe(137);
  });
});

test('a container whose liveness probe starts failing MUST be restarted by the kubelet', async () => {
  await runCase(BEHAVIOUR, 'liveness probe failure restarts the container', async (observations) => {
    const status = await waitFor({ description: 'container liveness of pod smoke-liveness to restart',
      ...pods(t.kube, t.ns, { name: 'smoke-liveness' }), predicate: containerRestarted('liveness', 1), timeoutMs: 3 * MINUTE });
    Object.assign(observations, { restartCount: status.restartCount, lastTermination: status.lastState?.terminated?.reason });
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
  });
});
