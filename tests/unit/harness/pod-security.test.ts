import { readdirSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadManifest, MANIFESTS_DIR } from '../../../lib/kit/manifests.ts';
import { namespaceObject } from '../../../lib/kit/namespace.ts';
import { podSecurityLabels, restrictedViolations } from '../../../lib/kit/pod-security.ts';
import { byoWorkload } from '../../../lib/run/config-rollout.ts';
import { agnhostWorkload } from '../../../lib/rollout/spec.ts';
import { manifestVars } from '../../../lib/rollout/workload.ts';

/** Every placeholder a manifest may use, with a value of the right shape; the rollout ones come from a real spec. */
function varsFor(file: string): Record<string, string> {
  const base = { AGNHOST_IMAGE: 'agnhost:1', BUSYBOX_IMAGE: 'busybox:1', NAMESPACE: 'ns', MISSING_IMAGE: 'missing:1',
    NAME: 'x', NODE: 'node-1', LOADGEN_IMAGE: 'node:24', SETTINGS_JSON: '"{}"', POLICY: 'Parallel', UPDATE_STRATEGY: 'OnDelete',
    METRICS_SERVER_IMAGE: 'metrics-server:1', TOO_MUCH_CPU: '3', TOO_MUCH_MEMORY: '30Gi', BOOT_JSON: '""', BUNDLE_B64: 'e30=', MIN_AVAILABLE: '1', REPLICAS: '3', SPREAD_JSON: '[]', POD_ANTI_AFFINITY_JSON: '{}', BUNDLE: 'x',
    DRAIN_SERVER_IMAGE: 'drain-server:1' };
  if (file === 'rollout-workload.yaml') return { ...base, ...manifestVars(agnhostWorkload('agnhost:1', 5)) };
  return base;
}

const manifests = readdirSync(MANIFESTS_DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('Pod Security "restricted"', () => {
  it.each(manifests)('manifests/%s must hold only workloads the restricted profile admits, with a read-only root', (file) => {
    const objects = loadManifest(file, varsFor(file), 'r1');
    expect(objects.flatMap((o) => restrictedViolations(o))).toEqual([]);
  });

  it('the rolling-update workload must stay restricted with the shipped bring-your-own example', () => {
    const spec = byoWorkload({ WC_ROLLOUT_CONFIG: 'examples/rollout-agnhost-prestop.yaml' });
    const objects = loadManifest('rollout-workload.yaml', manifestVars(spec), 'r1');
    expect(objects.flatMap((o) => restrictedViolations(o))).toEqual([]);
  });

  it('must name every field of a workload written as the manifests were before (root, no securityContext)', () => {
    const pod: KubernetesObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }],
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 80 }],
          securityContext: { capabilities: { add: ['NET_ADMIN'] }, runAsUser: 0 } }] } } as never;
    expect(restrictedViolations(pod)).toEqual([
      'Pod/p: hostNetwork must not be true',
      'Pod/p: volume h is of type hostPath, which restricted forbids',
      'Pod/p: container c: securityContext.allowPrivilegeEscalation must be false',
      'Pod/p: container c: securityContext.capabilities.drop must include ALL',
      'Pod/p: container c: securityContext.capabilities.add may hold only NET_BIND_SERVICE, not NET_ADMIN',
      'Pod/p: container c: runAsNonRoot must be true (pod or container securityContext)',
      'Pod/p: container c: securityContext.runAsUser must not be 0',
      'Pod/p: container c: seccompProfile.type must be RuntimeDefault or Localhost (pod or container)',
      'Pod/p: container c: hostPort must not be set',
      'Pod/p: container c: securityContext.readOnlyRootFilesystem must be true (mount an emptyDir where it writes)',
    ]);
  });

  it('must look inside controller templates and init containers, and pass objects without pods', () => {
    const set = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'init', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true } }],
      containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] } } } };
    expect(restrictedViolations(set as never)).toEqual(['StatefulSet/s: container app: securityContext.readOnlyRootFilesystem must be true (mount an emptyDir where it writes)']);
    expect(restrictedViolations(set as never, { readOnlyRoot: false })).toEqual([]);
    expect(restrictedViolations({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: {} } as never)).toEqual([]);
  });

  it('must label every harness namespace to enforce, warn and audit restricted unless told a lower level', () => {
    const owner = { host: 'h', pid: 1 };
    expect(namespaceObject('wc-x-r1', 'x', 'r1', owner).metadata?.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted' });
    expect(namespaceObject('wc-x-r1', 'x', 'r1', owner, 'baseline').metadata?.labels).toMatchObject(podSecurityLabels('baseline'));
  });
});
