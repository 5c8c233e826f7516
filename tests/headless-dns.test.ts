import type { InClusterClient } from '../lib/kit/index.ts';
import {
  awaitResolution, awaitStatefulSetReady, deletePodAndAwaitReplacement, describeResolution, podFqdn, podIp, readPod,
  resolveInCluster, resolvesExactlyTo, retrying, runCase, startClient, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Headless Service DNS names StatefulSet pods';
const SET = 'directory';
const REPLICAS = 2;
const t = useTestNamespace('headless-dns');
let client: InClusterClient;

const fqdn = (ordinal: number): string => podFqdn(`${SET}-${ordinal}`, SET, t.ns);

beforeAll(async () => {
  await t.apply('headless-dns.yaml');
  client = await startClient(t);
  await awaitStatefulSetReady(t, SET, REPLICAS);
});

test('each replica\'s name <pod>.<service>.<namespace>.svc.cluster.local resolves in the cluster to that pod\'s IP', async () => {
  await runCase(BEHAVIOUR, 'each replica resolves to its own IP', async (seen) => {
    const answers = await Promise.all(Array.from({ length: REPLICAS }, async (_, ordinal) => {
      const ip = podIp(await readPod(t, `${SET}-${ordinal}`));
      const { value, attempts, elapsedMs } = await awaitResolution(client, fqdn(ordinal), resolvesExactlyTo(ip), `to ${ip}`);
      return { name: fqdn(ordinal), podIp: ip, resolved: describeResolution(value), attempts, elapsedMs };
    }));
    seen.answers = answers;
    expect(new Set(answers.map((a) => a.podIp)).size).toBe(REPLICAS);
    answers.forEach((a) => expect(a.resolved).toBe(a.podIp));
  });
});

test('after a replica\'s pod is recreated its name resolves to the new pod\'s IP', async () => {
  await runCase(BEHAVIOUR, 'recreated replica resolves to its new IP', async (seen) => {
    const { before, after } = await deletePodAndAwaitReplacement(t, `${SET}-0`);
    const oldIp = podIp(before);
    const newIp = podIp(after);
    const { value, attempts, elapsedMs } = await awaitResolution(client, fqdn(0), resolvesExactlyTo(newIp), `to the new IP ${newIp}`);
    // A CNI may hand the new pod the old address; then this check could not tell old from new, so say so.
    Object.assign(seen, { name: fqdn(0), oldIp, newIp, ipChanged: oldIp !== newIp, resolved: describeResolution(value),
      attempts, resolvedAfterMs: elapsedMs });
    expect(newIp).not.toBe(oldIp);
    expect(describeResolution(value)).toBe(newIp);
  });
});

test('the name of the next ordinal, which the StatefulSet does not have, fails the same check: it resolves to no pod\'s IP of the set (NXDOMAIN), while a replica\'s name passes it at the same moment', async () => {
  await runCase(BEHAVIOUR, 'control: the next ordinal does not resolve', async (seen) => {
    // Every pod the set has, not ordinals 0..REPLICAS-1: had it a pod for the next ordinal, that pod's IP is here too.
    const listed = await retrying(`listing the pods of ${SET}`, () => t.kube.core.listNamespacedPod({ namespace: t.ns, labelSelector: `app.kubernetes.io/name=${SET}` }));
    const setPods = listed.items.map((p) => ({ name: p.metadata?.name ?? '', ip: podIp(p) }));
    const missing = await resolveInCluster(client, fqdn(REPLICAS));
    // The same question about a replica that exists, at the same moment, shows the check can find a name.
    const present = await resolveInCluster(client, fqdn(1));
    const missingMatches = setPods.filter((p) => resolvesExactlyTo(p.ip)(missing)).map((p) => p.name);
    Object.assign(seen, { missingName: fqdn(REPLICAS), missing: describeResolution(missing), setPods, missingMatches,
      presentName: fqdn(1), present: describeResolution(present) });
    expect(missingMatches).toEqual([]);
    expect(missing).toEqual({ outcome: 'nxdomain' });
    expect(resolvesExactlyTo(setPods.find((p) => p.name === `${SET}-1`)?.ip ?? '(no pod)')(present)).toBe(true);
  });
});
