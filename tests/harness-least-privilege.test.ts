import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podRunning } from '../lib/kit/conditions.ts';
import { execInPod } from '../lib/kit/exec.ts';
import type { Kube } from '../lib/kit/kube.ts';
import { connect, statusOf } from '../lib/kit/kube.ts';
import type { LeastPrivilege } from '../lib/run/least-privilege.ts';
import { POLICY_REFUSAL, setUpLeastPrivilege } from '../lib/run/least-privilege.ts';
import { createNamespace, deleteNamespaces, thisProcessOwner } from '../lib/kit/namespace.ts';
import { currentRun } from '../lib/kit/run-context.ts';
import { cordonPatch } from '../lib/kit/cordon.ts';
import { pods } from '../lib/kit/sources.ts';
import { waitFor } from '../lib/kit/wait.ts';

/**
 * docs/rbac.yaml confines its ServiceAccount on a real cluster: RBAC grants it the suite's rights, and its
 * admission policy refuses it any write or exec outside namespaces labelled as the suite's. Under
 * least privilege (the default on a kind cluster, WC_LEAST_PRIVILEGE) the run itself is that account; otherwise (admin credentials) this file sets up its
 * own copy of the file, under names unique to it, and removes it afterwards.
 * @behaviour harness: docs/rbac.yaml grants the suite its rights, and no write outside its namespaces
 */
let account: Kube;
let ownCopy: LeastPrivilege | undefined;
let cacheDir: string | undefined;
let harnessNs = '';
const made: string[] = [];
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const POLICY_MESSAGE = `${POLICY_REFUSAL} app.kubernetes.io/managed-by=workload-conformance`;

beforeAll(async () => {
  const run = currentRun();
  if (run.leastPrivilege) {
    account = connect(run.kubeconfigPath, run.context);
  } else {
    const admin = connect(run.kubeconfigPath, run.context);
    cacheDir = mkdtempSync(join(tmpdir(), 'wc-lp-'));
    ownCopy = await setUpLeastPrivilege(admin, `${run.runId}-lp`, cacheDir, log);
    account = connect(ownCopy.kubeconfigPath, ownCopy.context);
  }
  harnessNs = await createNamespace(account, 'least-privilege', run.runId, thisProcessOwner());
  made.push(harnessNs);
});

afterAll(async () => {
  await deleteNamespaces(account, made);
  await ownCopy?.tearDown(log);
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/** The HTTP status and message an API call was refused with (or "allowed" when it was not refused). */
async function refusal(call: () => Promise<unknown>): Promise<{ status?: number; message: string }> {
  try {
    await call();
    return { message: 'allowed' };
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    return { ...(statusOf(err) ? { status: statusOf(err)! } : {}), message: typeof body === 'string' ? body : String(err) };
  }
}

const configMap = (name: string) => ({ metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'workload-conformance' } } });

test('the least-privilege account MUST be refused a ConfigMap in a namespace not labelled as the suite\'s (default)', async () => {
  const r = await refusal(() => account.core.createNamespacedConfigMap({ namespace: 'default', body: configMap('wc-lp-probe') }));
  if (r.message === 'allowed') await account.core.deleteNamespacedConfigMap({ name: 'wc-lp-probe', namespace: 'default' });
  expect(r.status).toBe(403);
  expect(r.message).toContain(POLICY_MESSAGE);
  expect(r.message).toContain('not configmaps default/wc-lp-probe');
});

test('negative control: the same ConfigMap MUST be created in a namespace labelled as the suite\'s', async () => {
  const r = await refusal(() => account.core.createNamespacedConfigMap({ namespace: harnessNs, body: configMap('wc-lp-probe') }));
  expect(r).toEqual({ message: 'allowed' });
});

test('the least-privilege account MUST be refused a namespace without the harness label, and allowed one with it', async () => {
  const name = `wc-unlabelled-${currentRun().runId}`;
  const r = await refusal(() => account.core.createNamespace({ body: { metadata: { name } } }));
  if (r.message === 'allowed') made.push(name);
  expect(r.status).toBe(403);
  expect(r.message).toContain(POLICY_MESSAGE);
  // The labelled one is the suite's everyday path: harnessNs above was created by this very account.
  expect((await account.core.readNamespace({ name: harnessNs })).metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'workload-conformance' });
});

test('the least-privilege account MUST be refused exec into a pod outside the suite\'s namespaces (kube-system), and allowed it inside', async () => {
  const system = await account.core.listNamespacedPod({ namespace: 'kube-system' });
  const target = system.items.find((p) => p.status?.phase === 'Running')!;
  await expect(execInPod(account, 'kube-system', target.metadata!.name!, target.spec!.containers[0]!.name, ['true'], 30_000))
    .rejects.toThrow(/403/);

  await account.core.createNamespacedPod({ namespace: harnessNs, body: { metadata: { name: 'probe' }, spec: {
    terminationGracePeriodSeconds: 1,
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'probe', image: currentRun().images.busybox, command: ['sleep', '3600'],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true } }] } } });
  await waitFor({ description: 'the probe pod to run', ...pods(account, harnessNs, { name: 'probe' }), predicate: podRunning(), timeoutMs: 60_000 });
  expect(await execInPod(account, harnessNs, 'probe', 'probe', ['true'], 30_000)).toMatchObject({ exitCode: 0 });
});

test('the least-privilege account MUST be refused the eviction of a pod outside the suite\'s namespaces (kube-system), and admitted inside', async () => {
  // pods/eviction create is granted cluster-wide (docs/rbac.yaml); the policy must confine it like any write. Asked as
  // a dry run, so that a policy failing to refuse evicts nothing.
  const system = await account.core.listNamespacedPod({ namespace: 'kube-system' });
  const target = system.items.find((p) => p.status?.phase === 'Running')!.metadata!.name!;
  const evict = (namespace: string, name: string) => refusal(() => account.core.createNamespacedPodEviction({ name, namespace, dryRun: 'All',
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } }));
  const outside = await evict('kube-system', target);
  expect(outside.status).toBe(403);
  expect(outside.message).toContain(`${POLICY_MESSAGE}`);
  // Inside, admission lets it through to the pod lookup: a pod that does not exist is a 404, not a refusal.
  expect(await evict(harnessNs, 'no-such-pod')).toMatchObject({ status: 404 });
});

test('the least-privilege account MUST be refused any node change but a cordon (the node role\'s policy), and allowed a cordon (dry runs)', async () => {
  // The node role grants patch on nodes; its admission policy must narrow that to spec.unschedulable and the suite's
  // own mark. Asked as dry runs: a policy failing to refuse changes nothing.
  const node = (await account.core.listNode()).items[0]!;
  const name = node.metadata!.name!;
  const patch = (body: object[]) => refusal(() => account.core.patchNode({ name, body, dryRun: 'All' }));
  const label = await patch([{ op: 'add', path: '/metadata/labels/workload-conformance.io~1probe', value: 'x' }]);
  expect(label).toMatchObject({ status: 403, message: expect.stringContaining('may only cordon and uncordon nodes') });
  const taint = await patch([{ op: 'add', path: '/spec/taints', value: [...(node.spec?.taints ?? []), { key: 'wc-probe', effect: 'NoSchedule' }] }]);
  expect(taint).toMatchObject({ status: 403, message: expect.stringContaining('may only cordon and uncordon nodes') });
  if (!node.spec?.unschedulable) expect(await patch(cordonPatch(node, currentRun().runId))).toEqual({ message: 'allowed' });
});

test('the least-privilege account MUST NOT read secrets or create cluster roles anywhere (RBAC)', async () => {
  expect(await refusal(() => account.core.listNamespacedSecret({ namespace: harnessNs }))).toMatchObject({ status: 403 });
  expect(await refusal(() => account.objects.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name: `wc-lp-escalate-${currentRun().runId}` }, rules: [] } as never))).toMatchObject({ status: 403 });
});
