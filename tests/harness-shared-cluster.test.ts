import { V1MicroTime } from '@kubernetes/client-node';
import { clusterDeletionDecision, otherLiveRuns } from '../lib/run/cluster-sharing.ts';
import type { Kube } from '../lib/kit/kube.ts';
import { connect } from '../lib/kit/kube.ts';
import { deleteNamespaces, thisProcessOwner } from '../lib/kit/namespace.ts';
import { currentRun } from '../lib/kit/run-context.ts';
import { aloneAmongRuns } from '../lib/kit/node-level.ts';
import { markDisrupting, otherLiveRunsNow, waitWhileOthersDisrupt } from '../lib/kit/run-leases.ts';
import type { RunLease } from '../lib/run/run-lease.ts';
import { acquireRunLease, coordination, leaseNamespace, RUN_LEASE_NAME } from '../lib/run/run-lease.ts';

/**
 * The rule for a kind cluster several runs use, on a real cluster's leases: the run that created it keeps it
 * while another run holds a lease on it, and no longer counts a run whose lease expired. Only the decision is
 * exercised: no cluster is created or deleted here (the cluster it would apply to is hypothetical).
 * The same leases keep node-level files off a cluster another run uses (lib/kit/node-level.ts, lib/kit/run-leases.ts).
 * @behaviour harness: a shared kind cluster is kept while another run holds a lease on it
 */
let kube: Kube;
let other: RunLease | undefined;
const otherRun = `other-${Date.now().toString(36).slice(-6)}`;
const creator = { mode: 'kind' as const, clusterName: 'shared-by-runs', createdCluster: true, keepCluster: false, kindBin: 'kind' };

beforeAll(async () => {
  const run = currentRun();
  kube = connect(run.kubeconfigPath, run.context);
  other = await acquireRunLease(kube, otherRun, thisProcessOwner());
});

afterAll(async () => {
  other?.stop();
  await deleteNamespaces(kube, [leaseNamespace(otherRun)]);
});

test('the run that created a kind cluster MUST keep it while another run holds a lease on it, naming that run', async () => {
  const others = await otherLiveRuns(kube, currentRun().runId);
  expect(others?.map((l) => l.runId)).toContain(otherRun);
  expect(others?.map((l) => l.runId)).not.toContain(currentRun().runId);
  const decision = clusterDeletionDecision(creator, others);
  expect(decision.delete).toBe(false);
  expect(decision.reason).toMatch(new RegExp(`keeping kind cluster shared-by-runs, which this run created: run\\(s\\) .*${otherRun} \\(.* run ${otherRun}, renewed \\d+s ago\\)`));
});

test('while another run holds the cluster, a node-level file MUST wait for it, and while that run disrupts the nodes a starting run MUST wait before its files', async () => {
  const { runId } = currentRun();
  const lines: string[] = [];
  await expect(aloneAmongRuns(kube, runId, 'tests/node-drain.test.ts', (l) => lines.push(l), 2_000))
    .rejects.toThrow(new RegExp(`run\\(s\\) .*${otherRun} .* still use this cluster .*node-drain\\.test\\.ts disturbs every pod on its nodes`));
  expect(lines.join('\n')).toContain(`node-drain.test.ts waits for run(s) `);
  await markDisrupting(kube, otherRun, true);
  try {
    await expect(waitWhileOthersDisrupt(kube, runId, () => undefined, 2_000)).rejects.toThrow(new RegExp(`run\\(s\\) ${otherRun} .* have been disrupting`));
  } finally {
    await markDisrupting(kube, otherRun, false);
  }
  // The mark gone, a starting run goes on at once.
  await waitWhileOthersDisrupt(kube, runId, () => undefined, 2_000);
});

test('negative control: once that run\'s lease has expired it MUST no longer hold the cluster', async () => {
  other?.stop();
  await coordination(kube).patchNamespacedLease({ name: RUN_LEASE_NAME, namespace: leaseNamespace(otherRun),
    body: [{ op: 'replace', path: '/spec/renewTime', value: new V1MicroTime(Date.now() - 600_000).toISOString() }] });
  const others = await otherLiveRuns(kube, currentRun().runId);
  expect(others?.map((l) => l.runId)).not.toContain(otherRun);
  const decision = clusterDeletionDecision(creator, others);
  expect(decision.reason).not.toContain(otherRun);
  // Nor does a node-level file wait for it.
  expect((await otherLiveRunsNow(kube, currentRun().runId)).map((l) => l.runId)).not.toContain(otherRun);
  // Other runs may hold leases on this shared cluster too; with none left, the creator deletes it.
  expect(decision.delete).toBe(others?.length === 0);
});
