import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterHandle } from '../../../lib/run/cluster.ts';
import { officialNames, tearDownCluster } from '../../../lib/run/cluster.ts';
import { loadConfig } from '../../../lib/run/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'wc-lifecycle-'));
/** A stand-in kind binary that records how it was called. */
const fakeKind = join(dir, 'kind');
const calls = join(dir, 'calls');
writeFileSync(fakeKind, `#!/bin/sh\necho "$@" >> ${calls}\n`);
chmodSync(fakeKind, 0o755);

function handle(over: Partial<ClusterHandle>): ClusterHandle {
  const kubeconfigPath = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(kubeconfigPath, 'apiVersion: v1\n');
  return { mode: 'kind', kubeconfigPath, context: 'kind-c', clusterName: 'c', kindBin: fakeKind, createdCluster: true, keepCluster: false,
    images: { agnhost: 'a', busybox: 'b', loadgen: 'l', metricsServer: 'm' }, kindConfigPath: 'kind-config.yaml', ...over };
}
const called = (): string => (existsSync(calls) ? readFileSync(calls, 'utf8') : '');

describe('cluster teardown', () => {
  beforeEach(() => writeFileSync(calls, ''));

  it('must delete a kind cluster this run created, and the kubeconfig file written for it', async () => {
    const h = handle({});
    await tearDownCluster(h, () => undefined);
    expect(called()).toBe(`delete cluster --name c --kubeconfig ${h.kubeconfigPath}\n`);
    expect(existsSync(h.kubeconfigPath)).toBe(false);
  });

  it('must keep a cluster it created when asked to (WC_KEEP_CLUSTER), saying where its kubeconfig is', async () => {
    const lines: string[] = [];
    const h = handle({ keepCluster: true });
    await tearDownCluster(h, (l) => lines.push(l));
    expect(called()).toBe('');
    expect(lines[0]).toContain(`keeping kind cluster c (WC_KEEP_CLUSTER); kubeconfig: ${h.kubeconfigPath}`);
  });

  it('must never delete a cluster it reused or an existing cluster', async () => {
    await tearDownCluster(handle({ createdCluster: false }), () => undefined);
    await tearDownCluster(handle({ mode: 'existing', createdCluster: false, keepCluster: true }), () => undefined);
    expect(called()).toBe('');
  });
});

describe('workload images', () => {
  const versions = { AGNHOST_IMAGE: 'registry/agnhost:1', BUSYBOX_IMAGE: 'registry/busybox:1', KUBERNETES_MINORS: '1.37', KUBERNETES_1_37: 'v1.37.2',
    KIND_NODE_IMAGE_1_37: 'kindest/node:v1.37.0@sha256:aa', METRICS_SERVER_IMAGE: 'registry/metrics-server:1', NODE_VERSION: '24.1.0',
    REGISTRY_IMAGE: 'docker.io/library/registry:3' };
  const artefacts = { kind: '/k', nodeImage: 'n', images: { agnhost: 'localhost/agnhost:x', busybox: 'localhost/busybox:x',
    metricsServer: 'localhost/metrics-server:x', loadgen: 'localhost/loadgen:x' } };

  it('must name every image by its official name, online and offline alike, the load generator a stock Node image', () => {
    const want = { agnhost: 'registry/agnhost:1', busybox: 'registry/busybox:1', metricsServer: 'registry/metrics-server:1',
      loadgen: 'docker.io/library/node:24.1.0-slim' };
    expect(loadConfig({}, { versions }).images).toEqual(want);
    expect(loadConfig({ WC_OFFLINE: '1' }, { versions }).images).toEqual(want);
  });

  it('must take an image the user named instead (WC_*_IMAGE), drain-server only when named', () => {
    const config = loadConfig({ WC_BUSYBOX_IMAGE: 'mine/busybox:2', WC_LOADGEN_IMAGE: 'mine/node:24', WC_DRAIN_SERVER_IMAGE: 'mine/ds:1' }, { versions });
    expect(config.images).toMatchObject({ busybox: 'mine/busybox:2', loadgen: 'mine/node:24', drainServer: 'mine/ds:1' });
    expect(loadConfig({}, { versions }).images.drainServer).toBeUndefined();
  });

  it('must serve each offline image under the official name the workloads use', () => {
    expect(officialNames(artefacts, versions)).toEqual([
      ['localhost/agnhost:x', 'registry/agnhost:1'], ['localhost/busybox:x', 'registry/busybox:1'],
      ['localhost/metrics-server:x', 'registry/metrics-server:1'], ['localhost/loadgen:x', 'docker.io/library/node:24.1.0-slim'],
    ]);
  });
});

describe('a control plane that never answered', () => {
  it('must be told from any other kind failure by kubeadm\'s wait-control-plane phase', async () => {
    const { controlPlaneNeverAnswered } = await import('../../../lib/run/cluster.ts');
    const { HarnessError } = await import('../../../lib/kit/errors.ts');
    expect(controlPlaneNeverAnswered(new HarnessError('creating the kind cluster', 'kind create cluster --name wc-ci failed: error: error execution phase wait-control-plane: cannot obtain client without bootstrap'))).toBe(true);
    expect(controlPlaneNeverAnswered(new HarnessError('creating the kind cluster', 'kind create cluster --name wc-ci failed: node(s) already exist for a cluster with the name'))).toBe(false);
    expect(controlPlaneNeverAnswered(new Error('error execution phase wait-control-plane'))).toBe(false);
  });
});

describe('room for the kind nodes\' inotify instances', () => {
  it('must refuse a cluster the host limit cannot hold, saying how to make room, and let one through that fits or cannot be measured', async () => {
    const { checkInotifyRoom, readInotifyUse } = await import('../../../lib/run/inotify.ts');
    let refusal: { message: string; hint?: string } | undefined;
    try {
      checkInotifyRoom({ max: 128, used: 112 }, 3);
    } catch (err) {
      refusal = err as { message: string; hint?: string };
    }
    expect(refusal?.message).toMatch(/112 of the host's 128 inotify instances .* 3 kind nodes need about 62/);
    expect(refusal?.hint).toContain('sysctl -w fs.inotify.max_user_instances=512');
    expect(() => checkInotifyRoom({ max: 128, used: 2 }, 3)).not.toThrow();
    expect(() => checkInotifyRoom(undefined, 3)).not.toThrow();
    const here = readInotifyUse();
    expect(here === undefined || (here.max > 0 && here.used >= 0)).toBe(true);
  });
});
