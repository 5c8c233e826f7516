import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { leastPrivilegeWanted, RBAC_FILE, renderRbac, tokenKubeconfig } from '../../../lib/run/least-privilege.ts';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
// The node role's documents end in "-nodes" / "-nodes-confine": keyed apart from the main ones.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads deep into plain YAML objects
type Plain = Record<string, any>;
const byKind = (objects: ReturnType<typeof renderRbac>) => Object.fromEntries(objects.map((o) =>
  [`${o.kind!}${/-nodes(-confine)?$/.test(o.metadata?.name ?? '') ? ':nodes' : ''}`, o as unknown as Plain]));

describe('docs/rbac.yaml', () => {
  const text = readFileSync(RBAC_FILE, 'utf8');

  it('must grant no wildcard, no reading of secrets, no RBAC or admission writes, no impersonation and no cluster-scoped write but namespaces', () => {
    const role = byKind(renderRbac(text, 'r1')).ClusterRole!;
    const rules = role.rules as Rule[];
    const all = rules.flatMap((r) => r.resources.map((res) => ({ group: r.apiGroups[0], res, verbs: r.verbs })));
    expect(all.some((r) => r.res === '*' || r.verbs.includes('*') || r.group === '*')).toBe(false);
    // A Secret or ServiceAccount an audited chart ships may be created (in the suite's own namespaces only): never read.
    expect(all.filter((r) => r.res === 'secrets').map((r) => r.verbs)).toEqual([['create']]);
    expect(all.some((r) => ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'users', 'groups', 'serviceaccounts/token'].includes(r.res))).toBe(false);
    expect(all.some((r) => r.verbs.some((v) => ['escalate', 'bind', 'impersonate', 'deletecollection'].includes(v)))).toBe(false);
    const clusterScopedWrites = all.filter((r) => ['namespaces', 'nodes', 'storageclasses', 'apiservices'].includes(r.res) && r.verbs.some((v) => ['create', 'update', 'patch', 'delete'].includes(v)));
    expect(clusterScopedWrites.map((r) => r.res)).toEqual(['namespaces']);
    expect(all.find((r) => r.res === 'nodes')!.verbs).toEqual(['get', 'list', 'watch']);
  });

  it('must be applied under names unique to the run, every reference renamed with it, every object labelled with the run', () => {
    const objects = renderRbac(text, '2611231100-ab12');
    const k = byKind(objects);
    const name = 'wc-lp-2611231100-ab12';
    expect(k.Namespace!.metadata.name).toBe(name);
    expect(k.Namespace!.metadata.labels).toMatchObject({ 'workload-conformance.io/role': 'identity', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(k.ServiceAccount!.metadata).toMatchObject({ name, namespace: name });
    expect(k.ClusterRole!.metadata.name).toBe(name);
    expect(k.ClusterRoleBinding!.roleRef.name).toBe(name);
    expect(k.ClusterRoleBinding!.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: name }]);
    expect(k.ValidatingAdmissionPolicy!.metadata.name).toBe(`${name}-confine`);
    expect(k.ValidatingAdmissionPolicy!.spec.matchConditions[0].expression).toBe(`request.userInfo.username == 'system:serviceaccount:${name}:${name}'`);
    expect(k.ValidatingAdmissionPolicyBinding!.spec.policyName).toBe(`${name}-confine`);
    for (const o of objects) expect(o.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'workload-conformance', 'workload-conformance.io/run': '2611231100-ab12' });
    expect(JSON.stringify(objects)).not.toMatch(/"(name|namespace|policyName)":"workload-conformance|:workload-conformance:/);
    expect(k['ClusterRoleBinding:nodes']!.roleRef.name).toBe(`${name}-nodes`);
    expect(k['ClusterRoleBinding:nodes']!.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: name }]);
    expect(k['ValidatingAdmissionPolicyBinding:nodes']!.spec.policyName).toBe(`${name}-nodes-confine`);
    expect(k['ValidatingAdmissionPolicy:nodes']!.spec.matchConditions[0].expression).toBe(`request.userInfo.username == 'system:serviceaccount:${name}:${name}'`);
  });

  it('must keep node writes in a role of their own, patch/update of nodes only, confined to a cordon by its own policy', () => {
    const k = byKind(renderRbac(text, 'r1'));
    expect(k['ClusterRole:nodes']!.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['patch', 'update'] }]);
    expect(k.ClusterRole!.rules.filter((r: Rule) => r.apiGroups[0] === '' && r.resources.includes('nodes'))).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    const policy = k['ValidatingAdmissionPolicy:nodes']!;
    expect(policy.spec.matchConstraints.resourceRules[0]).toMatchObject({ operations: ['UPDATE'], resources: ['nodes'] });
    expect(policy.spec.validations.map((v: { expression: string }) => v.expression).join(' ')).toMatch(/taints.*labels|labels.*taints/s);
    expect(k.ValidatingAdmissionPolicy!.spec.matchConstraints.excludeResourceRules).toEqual([
      { apiGroups: [''], apiVersions: ['*'], operations: ['UPDATE'], resources: ['nodes'], scope: 'Cluster' }]);
  });

  it('must confine the account\'s writes to namespaces labelled as the suite\'s, and only this account\'s', () => {
    const policy = byKind(renderRbac(text, 'r1')).ValidatingAdmissionPolicy!;
    expect(policy.spec.matchConstraints.namespaceSelector.matchExpressions).toEqual([
      { key: 'app.kubernetes.io/managed-by', operator: 'NotIn', values: ['workload-conformance'] }]);
    expect(policy.spec.matchConstraints.resourceRules[0].operations).toEqual(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
    expect(policy.spec.validations).toEqual([expect.objectContaining({ expression: 'false' })]);
  });
});

describe('the token kubeconfig', () => {
  it('must hold the server, its CA and the token only', () => {
    const config = parse(tokenKubeconfig({ server: 'https://127.0.0.1:6443', caData: 'Q0E=' }, 'tok', 'wc-lp-r1'));
    expect(config).toEqual({ apiVersion: 'v1', kind: 'Config', 'current-context': 'wc-lp-r1',
      clusters: [{ name: 'wc-lp-r1', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } }],
      users: [{ name: 'wc-lp-r1', user: { token: 'tok' } }],
      contexts: [{ name: 'wc-lp-r1', context: { cluster: 'wc-lp-r1', user: 'wc-lp-r1' } }] });
  });
});

describe('who the run acts as', () => {
  it('must act as the least-privilege account on a kind cluster by default, as given on an existing one, and as WC_LEAST_PRIVILEGE says when set', () => {
    expect(leastPrivilegeWanted({}, 'kind')).toBe(true);
    expect(leastPrivilegeWanted({}, 'existing')).toBe(false);
    expect(leastPrivilegeWanted({ WC_LEAST_PRIVILEGE: '0' }, 'kind')).toBe(false);
    expect(leastPrivilegeWanted({ WC_LEAST_PRIVILEGE: '1' }, 'existing')).toBe(true);
    expect(leastPrivilegeWanted({ WC_LEAST_PRIVILEGE: ' ' }, 'kind')).toBe(true);
    expect(() => leastPrivilegeWanted({ WC_LEAST_PRIVILEGE: 'maybe' }, 'kind')).toThrow(/not a boolean/);
  });
});
