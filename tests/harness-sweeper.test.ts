import type { V1Namespace } from '@kubernetes/client-node';
import { V1MicroTime } from '@kubernetes/client-node';
import { gone } from '../lib/kit/conditions.ts';
import type { Kube } from '../lib/kit/kube.ts';
import { connect, isNotFound } from '../lib/kit/kube.ts';
import { sweepLeftovers } from '../lib/run/lease-sweep.ts';
import { createNamespace, deleteNamespaces, thisProcessOwner } from '../lib/kit/namespace.ts';
import { currentRun } from '../lib/kit/run-context.ts';
import type { RunLease } from '../lib/run/run-lease.ts';
import { acquireRunLease, coordination, leaseNamespace, leaseNamespaceObject, RUN_LEASE_NAME } from '../lib/run/run-lease.ts';
import { namespaces } from '../lib/kit/sources.ts';
import { waitFor } from '../lib/kit/wait.ts';

/**
 * The start-of-run sweep on a real cluster, judged by run leases: it removes every namespace of a run whose
 * lease has expired and leaves those of a run whose lease is held, and it reports a namespace stuck
 * Terminating with what holds it. The "other runs" here are made by this file (names unique to it); it
 * deletes only what it made.
 * @behaviour harness: the sweep removes expired runs' namespaces and leaves live runs' alone
 */
let kube: Kube;
const made: string[] = [];
const leases: RunLease[] = [];
const suffix = Date.now().toString(36).slice(-6);
const HOLD = 'workload-conformance.io/test-hold';

beforeAll(() => {
  const run = currentRun();
  kube = connect(run.kubeconfigPath, run.context);
});

afterAll(async () => {
  for (const l of leases) l.stop();
  // The stuck namespace's ConfigMap keeps its finalizer if a test failed half-way: release it first.
  for (const name of made) {
    await kube.core.patchNamespacedConfigMap({ name: 'held', namespace: name, body: [{ op: 'remove', path: '/metadata/finalizers' }] })
      .catch(() => undefined);
  }
  await deleteNamespaces(kube, made);
});

/** A run that took its lease `renewedSecondsAgo` seconds ago and never renewed it (a crashed or killed run). */
async function abandonedRun(runId: string, renewedSecondsAgo: number): Promise<void> {
  const owner = thisProcessOwner();
  await kube.core.createNamespace({ body: leaseNamespaceObject(runId, owner) });
  made.push(leaseNamespace(runId));
  const then = new V1MicroTime(Date.now() - renewedSecondsAgo * 1000);
  await coordination(kube).createNamespacedLease({ namespace: leaseNamespace(runId), body: {
    metadata: { name: RUN_LEASE_NAME, labels: leaseNamespaceObject(runId, owner).metadata!.labels! },
    spec: { holderIdentity: `a crashed run ${runId}`, leaseDurationSeconds: 90, acquireTime: then, renewTime: then },
  } });
}

async function runNamespace(runId: string, behaviour: string): Promise<string> {
  const ns = await createNamespace(kube, behaviour, runId, thisProcessOwner());
  made.push(ns);
  return ns;
}

async function exists(name: string): Promise<V1Namespace | undefined> {
  try {
    return await kube.core.readNamespace({ name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const sweep = async (options = {}): Promise<string[]> => {
  const lines: string[] = [];
  await sweepLeftovers(kube, currentRun().runId, (l) => lines.push(l), options);
  return lines;
};

const goneWithin = (name: string) => waitFor({ description: `namespace ${name} to be deleted`, ...namespaces(kube, { name }),
  predicate: gone(), timeoutMs: 120_000 });

test('the sweep MUST keep every namespace of a run whose lease is held and delete every namespace of a run whose lease expired', async () => {
  const live = `live-${suffix}`;
  const dead = `dead-${suffix}`;
  leases.push(await acquireRunLease(kube, live, thisProcessOwner()));
  made.push(leaseNamespace(live));
  const liveNs = await runNamespace(live, 'sweep-live');
  await abandonedRun(dead, 600);
  const deadNs = await runNamespace(dead, 'sweep-dead');

  const lines = await sweep();

  expect(lines.find((l) => l.includes(` ${liveNs}:`))).toMatch(new RegExp(`keeping namespace ${liveNs}: run ${live} holds its lease \\(renewed \\d+s ago`));
  expect(lines.find((l) => l.includes(` ${deadNs}:`))).toMatch(new RegExp(`deleting namespace ${deadNs}: run ${dead}'s lease expired at .* \\(last renewed 6\\d\\ds ago by a crashed run`));
  await goneWithin(deadNs);
  await goneWithin(leaseNamespace(dead));
  expect(await exists(liveNs)).toBeDefined();
  expect(await exists(leaseNamespace(live))).toBeDefined();
});

test('negative control: the same live run\'s namespaces MUST be swept once its lease stops being renewed and expires', async () => {
  const live = `live-${suffix}`;
  leases.forEach((l) => l.stop());
  // What a killed run leaves: the last renewal 10 minutes back.
  await coordination(kube).patchNamespacedLease({ name: RUN_LEASE_NAME, namespace: leaseNamespace(live),
    body: [{ op: 'replace', path: '/spec/renewTime', value: new V1MicroTime(Date.now() - 600_000).toISOString() }] });

  const lines = await sweep();

  expect(lines.find((l) => l.includes(`namespace wc-sweep-live-${live}:`))).toMatch(/deleting .* lease expired/);
  await goneWithin(`wc-sweep-live-${live}`);
  await goneWithin(leaseNamespace(live));
});

test('a namespace stuck Terminating MUST be reported by the sweep with the finalizers and objects that hold it', async () => {
  const dead = `held-${suffix}`;
  await abandonedRun(dead, 600);
  const heldNs = await runNamespace(dead, 'sweep-held');
  await kube.core.createNamespacedConfigMap({ namespace: heldNs, body: { metadata: { name: 'held', finalizers: [HOLD] } } });

  await sweep();
  // The namespace controller writes what it is waiting for into the namespace's conditions.
  await waitFor({ description: `namespace ${heldNs} to report its remaining finalizers`, ...namespaces(kube, { name: heldNs }),
    timeoutMs: 60_000,
    predicate: (items) => items[0]?.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True')
      ? { done: true, value: true } : { done: false, note: 'no NamespaceFinalizersRemaining condition yet' } });

  const lines = await sweep({ stuckAfterMs: 0 });

  const report = lines.find((l) => l.includes(`namespace ${heldNs}:`));
  expect(report).toContain(`keeping namespace ${heldNs}: namespace ${heldNs} has been terminating for`);
  expect(report).toContain(`NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: ${HOLD} in 1 resource instances`);
  expect(report).toContain('NamespaceContentRemaining: Some resources are remaining: configmaps. has 1 resource instances');

  await kube.core.patchNamespacedConfigMap({ name: 'held', namespace: heldNs, body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  await goneWithin(heldNs);
});
