// WC_LEAST_PRIVILEGE=1: the whole suite runs as a ServiceAccount holding only docs/rbac.yaml. With the
// credentials it was given (a cluster admin's, e.g. kind's), the global setup applies that file under names
// unique to the run, mints a token for the account (TokenRequest API), writes a kubeconfig holding only that
// token, and hands it to the sweep, the lease and every test worker. At the end the same admin credentials
// remove the run's copies. So docs/rbac.yaml is proven sufficient by every CI run, not just claimed.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { pollUntil } from '../kit/poll.ts';
import { HarnessError, messageOf } from '../kit/errors.ts';
import type { Kube } from '../kit/kube.ts';
import { connect, isNotFound, retrying, statusOf } from '../kit/kube.ts';
import { MANAGED_SELECTOR, RUN_LABEL } from '../kit/labels.ts';
import { parseManifest } from '../kit/manifests.ts';
import { parseFlag } from './config.ts';
import { sweepDecision } from './lease-sweep.ts';
import { readRunLeases, ROLE_LABEL } from './run-lease.ts';
import { REPO_ROOT } from './versions.ts';

export const LEAST_PRIVILEGE_ENV = 'WC_LEAST_PRIVILEGE';

/**
 * Whether the run acts as the least-privilege account: WC_LEAST_PRIVILEGE when it is set (1 or 0), else on for a
 * kind cluster (the run holds kind's admin credentials, so it can set the account up, and one run then proves both
 * the behaviours and docs/rbac.yaml), off for an existing cluster (whose credentials may not be an admin's).
 */
export function leastPrivilegeWanted(env: Record<string, string | undefined>, mode: 'kind' | 'existing'): boolean {
  return env[LEAST_PRIVILEGE_ENV]?.trim() ? parseFlag(env, LEAST_PRIVILEGE_ENV) : mode === 'kind';
}
export const RBAC_FILE = join(REPO_ROOT, 'docs', 'rbac.yaml');
/** The name every object in docs/rbac.yaml carries (the policy adds "-confine"). */
const BASE = 'workload-conformance';
export const IDENTITY_ROLE = 'identity';
/** Long enough for the slowest full run; the token dies with its ServiceAccount at the end anyway. */
const TOKEN_SECONDS = 4 * 60 * 60;
const STEP = 'setting up the least-privilege ServiceAccount';
const ADMIN_NEEDED = 'WC_LEAST_PRIVILEGE=1 sets the account up, so it needs a cluster admin\'s credentials (it creates a ServiceAccount, ' +
  'a ClusterRole, a binding, an admission policy and a token); to run as an account set up already, leave WC_LEAST_PRIVILEGE unset ' +
  'and point WC_KUBECONFIG/WC_CONTEXT at its kubeconfig';

export function identityName(runId: string): string {
  return `wc-lp-${runId}`;
}

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

type Obj = KubernetesObject & Record<string, unknown>;

/**
 * docs/rbac.yaml as this run applies it: every name `workload-conformance` becomes `wc-lp-<runId>` (the
 * account, its namespace, the role, the binding, the policy), so concurrent runs on one cluster neither share
 * nor delete each other's; every object gets the run label; the namespace is marked as the run's identity.
 */
export function renderRbac(text: string, runId: string): KubernetesObject[] {
  const name = identityName(runId);
  const rename = (n: string | undefined): string | undefined => n?.startsWith(BASE) ? name + n.slice(BASE.length) : n;
  const user = serviceAccountUser(BASE, BASE);
  return parseManifest(text, 'docs/rbac.yaml').map((o) => {
    const obj = structuredClone(o) as Obj;
    const meta = obj.metadata ?? {};
    obj.metadata = { ...meta, name: rename(meta.name)!, ...(meta.namespace ? { namespace: rename(meta.namespace)! } : {}),
      labels: { ...meta.labels, [RUN_LABEL]: runId, ...(obj.kind === 'Namespace' ? { [ROLE_LABEL]: IDENTITY_ROLE } : {}) } };
    if (obj.kind === 'ClusterRoleBinding') {
      const roleRef = obj.roleRef as { name: string };
      roleRef.name = rename(roleRef.name)!;
      for (const s of obj.subjects as Array<{ name: string; namespace?: string }>) {
        s.name = rename(s.name)!;
        if (s.namespace) s.namespace = rename(s.namespace)!;
      }
    }
    if (obj.kind === 'ValidatingAdmissionPolicy') {
      const spec = obj.spec as { matchConditions?: Array<{ expression: string }> };
      for (const c of spec.matchConditions ?? []) c.expression = c.expression.replaceAll(user, serviceAccountUser(name, name));
    }
    if (obj.kind === 'ValidatingAdmissionPolicyBinding') {
      const spec = obj.spec as { policyName: string };
      spec.policyName = rename(spec.policyName)!;
    }
    return obj;
  });
}

export interface ClusterAccess {
  server: string;
  caData?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
}

/** A kubeconfig holding only the token: no client certificate, no exec plugin, nothing of the admin's. */
export function tokenKubeconfig(access: ClusterAccess, token: string, context: string): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': context,
    clusters: [{ name: context, cluster: {
      server: access.server,
      ...(access.caData ? { 'certificate-authority-data': access.caData } : {}),
      ...(access.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(access.tlsServerName ? { 'tls-server-name': access.tlsServerName } : {}),
    } }],
    users: [{ name: context, user: { token } }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
  });
}

function clusterAccess(admin: Kube): ClusterAccess {
  const cluster = admin.kc.getCurrentCluster();
  if (!cluster) throw new HarnessError(STEP, `the kubeconfig ${admin.kubeconfigPath} has no current cluster`, 'check WC_KUBECONFIG/WC_CONTEXT');
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return { server: cluster.server, ...(caData ? { caData } : {}), ...(cluster.skipTLSVerify ? { skipTLSVerify: true } : {}),
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}) };
}

/** What the policy says when it refuses (docs/rbac.yaml's messageExpression begins so). */
export const POLICY_REFUSAL = 'workload-conformance may change only namespaces labelled';

/**
 * The API server takes about a second to start enforcing a new admission policy. Until it refuses this
 * account a namespace without the harness label (asked as a dry run: nothing is created), the run does
 * not start: the confinement is observed, not assumed.
 */
async function policyInForce(account: Kube, name: string): Promise<void> {
  await pollUntil({
    description: `the admission policy ${name}-confine to refuse ${name} an unlabelled namespace`,
    probe: async () => {
      try {
        await account.core.createNamespace({ body: { metadata: { name: `${name}-probe` } }, dryRun: 'All' });
        return 'allowed';
      } catch (err) {
        const body = String((err as { body?: unknown }).body ?? messageOf(err));
        if (body.includes(POLICY_REFUSAL)) return 'refused by the policy';
        throw err;
      }
    },
    done: (answer) => answer === 'refused by the policy',
    timeoutMs: 30_000, intervalMs: 250, progressEveryMs: 0,
  });
}

export interface LeastPrivilege {
  kubeconfigPath: string;
  context: string;
  user: string;
  /**
   * Removes the token kubeconfig and, unless `objects` is false (the cluster is being deleted anyway), the run's
   * ServiceAccount, its namespace, role, binding and policy (with the admin credentials).
   */
  tearDown(log: (line: string) => void, options?: { objects?: boolean }): Promise<void>;
}

async function deleteAll(admin: Kube, objects: KubernetesObject[], log: (line: string) => void): Promise<void> {
  for (const obj of [...objects].reverse()) {
    try {
      await retrying(`deleting ${obj.kind} ${obj.metadata?.name}`, () => admin.objects.delete(obj));
    } catch (err) {
      if (!isNotFound(err)) log(`[wc] could not delete ${obj.kind} ${obj.metadata?.name}: ${messageOf(err)}`);
    }
  }
}

export async function setUpLeastPrivilege(admin: Kube, runId: string, cacheDir: string,
  log: (line: string) => void): Promise<LeastPrivilege> {
  const objects = renderRbac(readFileSync(RBAC_FILE, 'utf8'), runId);
  const name = identityName(runId);
  const kubeconfigPath = join(cacheDir, 'kubeconfig', `${name}.yaml`);
  // Named after the admin's context (kind-<cluster>-wc-lp-<runId>): the same cluster, as another user.
  const context = `${admin.kc.getCurrentContext()}-${name}`;
  const created: KubernetesObject[] = [];
  let wroteKubeconfig = false;
  const tearDown = async (say: (line: string) => void, options?: { objects?: boolean }): Promise<void> => {
    if (wroteKubeconfig) rmSync(kubeconfigPath, { force: true });
    // Only what this run created: a name that already existed (a clash) is someone else's.
    if (options?.objects !== false) await deleteAll(admin, created, say);
  };
  try {
    for (const obj of objects) {
      await retrying(`creating ${obj.kind} ${obj.metadata?.name}`, () => admin.objects.create(obj));
      created.push(obj);
    }
    const request = await retrying('requesting a ServiceAccount token', () => admin.core.createNamespacedServiceAccountToken({
      name, namespace: name, body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } } }));
    const token = request.status?.token;
    if (!token) throw new Error('the TokenRequest answer holds no token');
    mkdirSync(dirname(kubeconfigPath), { recursive: true });
    writeFileSync(kubeconfigPath, tokenKubeconfig(clusterAccess(admin), token, context), { mode: 0o600 });
    wroteKubeconfig = true;
    chmodSync(kubeconfigPath, 0o600);
    await policyInForce(connect(kubeconfigPath, context), name);
  } catch (err) {
    await tearDown(log);
    throw new HarnessError(STEP, `could not apply docs/rbac.yaml as ${name} and mint its token: ${messageOf(err)}`,
      statusOf(err) === 403
        ? ADMIN_NEEDED
        : 'check that the cluster serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (Kubernetes 1.30+)',
      { cause: err });
  }
  const user = serviceAccountUser(name, name);
  log(`[wc] least privilege: the suite runs as ${user}, bound only to docs/rbac.yaml (ClusterRole ${name}); kubeconfig ${kubeconfigPath}`);
  return { kubeconfigPath, context, user, tearDown };
}

/** Cluster-scoped kinds of docs/rbac.yaml, which no namespace deletion removes. */
const CLUSTER_KINDS: Array<[string, string]> = [
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
];

/**
 * Removes a crashed run's cluster-scoped copies of docs/rbac.yaml (its namespace goes with the ordinary
 * sweep): only objects carrying the harness labels, by the sweep's own rule (lease-sweep.ts): kept while the
 * run's lease is held, removed once it expired, and kept for three hours when there is no lease at all.
 */
export async function sweepIdentityLeftovers(admin: Kube, runId: string, log: (line: string) => void): Promise<void> {
  const now = new Date();
  const leases = await readRunLeases(admin, now);
  for (const [apiVersion, kind] of CLUSTER_KINDS) {
    const list = await retrying(`listing ${kind}s`, () => admin.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, MANAGED_SELECTOR))
      .catch((err: unknown) => {
        throw new HarnessError(STEP, `the credentials in ${admin.kubeconfigPath} (context ${admin.kc.getCurrentContext()}) cannot list ${kind}s: ${messageOf(err)}`,
          statusOf(err) === 403 ? ADMIN_NEEDED : 'check that the cluster is healthy', { cause: err });
      });
    for (const obj of list.items) {
      const decision = sweepDecision({ metadata: obj.metadata ?? {} }, { runId, leases, now });
      if (!decision.sweep) continue;
      log(`[wc] sweep: deleting ${kind} ${obj.metadata?.name}: ${decision.reason}`);
      await deleteAll(admin, [{ ...obj, apiVersion, kind }], log);
    }
  }
}
