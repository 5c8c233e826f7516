import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseFlag } from '../../../lib/run/config.ts';
import { HarnessError } from '../../../lib/kit/errors.ts';
import { chooseContext, summarizeKubeconfig } from '../../../lib/run/kubeconfig.ts';

const versions = { AGNHOST_IMAGE: 'registry.k8s.io/e2e-test-images/agnhost:2.56', BUSYBOX_IMAGE: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1',
  KUBERNETES_MINORS: '1.37,1.35', KUBERNETES_1_37: 'v1.37.2', KIND_NODE_IMAGE_1_37: 'kindest/node:v1.37.0@sha256:aa', KUBERNETES_1_35: 'v1.35.4', KIND_NODE_IMAGE_1_35: 'kindest/node:v1.35.8@sha256:bb',
  METRICS_SERVER_IMAGE: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0', NODE_VERSION: '24.21.0', REGISTRY_IMAGE: 'docker.io/library/registry:3' };
const dir = mkdtempSync(join(tmpdir(), 'wc-config-'));
const options = { versions, cwd: dir, home: '/home/tester' };

function kubeconfig(contexts: string[], current?: string): string {
  const path = join(dir, `kubeconfig-${contexts.join('-') || 'none'}-${current ?? 'x'}.yaml`);
  const text = [
    'apiVersion: v1', 'kind: Config',
    'clusters:', ...contexts.map((c) => `- name: ${c}\n  cluster:\n    server: https://127.0.0.1:6443`),
    'users:', ...contexts.map((c) => `- name: ${c}\n  user: {}`),
    contexts.length ? 'contexts:' : 'contexts: []', ...contexts.map((c) => `- name: ${c}\n  context:\n    cluster: ${c}\n    user: ${c}`),
    ...(current ? [`current-context: ${current}`] : []),
  ].join('\n');
  writeFileSync(path, text);
  return path;
}

function thrown(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HarnessError) return err;
    throw err;
  }
  throw new Error('expected a HarnessError');
}

describe('configuration from the environment', () => {
  it('must default to kind mode with the pinned images, cluster name workload-conformance and reports/ under the cwd', () => {
    const config = loadConfig({}, options);
    expect(config).toMatchObject({
      mode: 'kind', offline: false, keepCluster: false, clusterName: 'workload-conformance',
      images: { agnhost: versions.AGNHOST_IMAGE, busybox: versions.BUSYBOX_IMAGE, loadgen: 'docker.io/library/node:24.21.0-slim' }, registryImage: versions.REGISTRY_IMAGE,
      reportsDir: join(dir, 'reports'), cacheDir: '/home/tester/.cache/workload-conformance',
    });
    expect(config.kindConfigPath).toMatch(/kind-config\.yaml$/);
  });

  it('must take image overrides, the node image, flags and directories from WC_* variables', () => {
    const config = loadConfig({
      WC_AGNHOST_IMAGE: 'my/agnhost:1', WC_OFFLINE: '1', WC_KEEP_CLUSTER: 'true', WC_CLUSTER_NAME: 'ci-1',
      WC_NODE_IMAGE: 'my/node:1', WC_REPORTS_DIR: 'out', WC_CACHE_DIR: '~/c',
    }, options);
    expect(config).toMatchObject({
      offline: true, keepCluster: true, clusterName: 'ci-1', nodeImage: 'my/node:1',
      images: { agnhost: 'my/agnhost:1', busybox: versions.BUSYBOX_IMAGE },
      reportsDir: join(dir, 'out'), cacheDir: '/home/tester/c',
    });
  });

  it('must refuse a flag that is neither on nor off, naming the variable', () => {
    expect(thrown(() => parseFlag({ WC_OFFLINE: 'maybe' }, 'WC_OFFLINE')).message).toContain('WC_OFFLINE=maybe');
    expect(parseFlag({ WC_OFFLINE: '0' }, 'WC_OFFLINE')).toBe(false);
  });

  it('must refuse a cluster name kind would reject', () => {
    expect(thrown(() => loadConfig({ WC_CLUSTER_NAME: 'My_Cluster' }, options)).message).toContain('not a valid kind cluster name');
  });

  it('must use the existing cluster and its current context when WC_KUBECONFIG is set', () => {
    const path = kubeconfig(['kind-dev'], 'kind-dev');
    expect(loadConfig({ WC_KUBECONFIG: path }, options)).toMatchObject({ mode: 'existing', kubeconfigPath: path, context: 'kind-dev' });
  });

  it('must pick the context named by WC_CONTEXT', () => {
    const path = kubeconfig(['kind-a', 'kind-b'], 'kind-a');
    expect(loadConfig({ WC_KUBECONFIG: path, WC_CONTEXT: 'kind-b' }, options).context).toBe('kind-b');
  });

  it('must fail with one actionable error when WC_KUBECONFIG points at no file', () => {
    const err = thrown(() => loadConfig({ WC_KUBECONFIG: 'missing.yaml' }, options));
    expect(err.message).toBe(`WC_KUBECONFIG points at ${join(dir, 'missing.yaml')}, which does not exist`);
    expect(err.hint).toContain('set WC_KUBECONFIG');
  });

  it('must fail when WC_KUBECONFIG is a directory or not a kubeconfig', () => {
    expect(thrown(() => loadConfig({ WC_KUBECONFIG: dir }, options)).message).toContain('not a file');
    const junk = join(dir, 'junk.yaml');
    writeFileSync(junk, 'just: text\n');
    expect(thrown(() => loadConfig({ WC_KUBECONFIG: junk }, options)).message).toContain('has no contexts');
  });

  it('must fail on an unknown context and list the contexts that exist', () => {
    const path = kubeconfig(['kind-a', 'kind-b'], 'kind-a');
    const err = thrown(() => loadConfig({ WC_KUBECONFIG: path, WC_CONTEXT: 'kind-zzz' }, options));
    expect(err.message).toContain('context "kind-zzz" is not in');
    expect(err.hint).toBe('set WC_CONTEXT to one of: kind-a, kind-b');
  });

  it('must fail when there is no current context and none is named', () => {
    const path = kubeconfig(['kind-a']);
    expect(thrown(() => loadConfig({ WC_KUBECONFIG: path }, options)).message).toContain('has no current-context');
  });

  it('must refuse a context that is not kind\'s unless WC_ALLOW_NON_KIND=1', () => {
    const path = kubeconfig(['prod-eu'], 'prod-eu');
    const err = thrown(() => loadConfig({ WC_KUBECONFIG: path }, options));
    expect(err.message).toContain('"prod-eu" is not a kind cluster');
    expect(err.hint).toContain('WC_ALLOW_NON_KIND=1');
    expect(loadConfig({ WC_KUBECONFIG: path, WC_ALLOW_NON_KIND: '1' }, options).context).toBe('prod-eu');
  });

  it('must refuse WC_CONTEXT without WC_KUBECONFIG rather than silently ignore it', () => {
    expect(thrown(() => loadConfig({ WC_CONTEXT: 'kind-a' }, options)).message).toContain('WC_KUBECONFIG is not');
  });

  it('must make a kind cluster at the newest supported minor by default, and at WC_KUBERNETES_VERSION\'s when set', () => {
    expect(loadConfig({}, options)).toMatchObject({ kubernetes: { minor: '1.37', version: 'v1.37.2' }, pinnedNodeImage: 'kindest/node:v1.37.0@sha256:aa' });
    expect(loadConfig({ WC_KUBERNETES_VERSION: '1.35' }, options)).toMatchObject({ kubernetes: { minor: '1.35', version: 'v1.35.4' }, pinnedNodeImage: 'kindest/node:v1.35.8@sha256:bb' });
    expect(thrown(() => loadConfig({ WC_KUBERNETES_VERSION: '1.30' }, options)).message).toContain('WC_KUBERNETES_VERSION=1.30 is not a Kubernetes version this project supports');
  });

  it('must refuse WC_KUBERNETES_VERSION with an existing cluster, which runs the version it runs', () => {
    expect(thrown(() => loadConfig({ WC_KUBERNETES_VERSION: '1.35', WC_KUBECONFIG: kubeconfig(['kind-a'], 'kind-a') }, options)).message)
      .toContain('WC_KUBECONFIG names an existing cluster, which runs the version it runs');
  });

  it('must take the kind cluster\'s node count from WC_NODES (unset: the kind config\'s own), refusing nonsense and an existing cluster', () => {
    expect(loadConfig({}, options).nodes).toBeUndefined();
    expect(loadConfig({ WC_NODES: '3' }, options).nodes).toBe(3);
    for (const bad of ['0', '11', '2.5', 'three']) expect(thrown(() => loadConfig({ WC_NODES: bad }, options)).message).toContain(`WC_NODES=${bad} is not a whole number from 1 to 10`);
    expect(thrown(() => loadConfig({ WC_NODES: '3', WC_KUBECONFIG: kubeconfig(['kind-a'], 'kind-a') }, options)).message)
      .toContain('WC_KUBECONFIG names an existing one, which has the nodes it has');
  });
});

describe('kubeconfig context choice', () => {
  const summary = summarizeKubeconfig('contexts:\n- name: kind-x\n- name: other\ncurrent-context: other\n', 'k.yaml');

  it('must read context names and the current context', () => {
    expect(summary).toEqual({ path: 'k.yaml', contexts: ['kind-x', 'other'], currentContext: 'other' });
  });

  it('must prefer the requested context over the current one', () => {
    expect(chooseContext(summary, 'kind-x', false)).toBe('kind-x');
    expect(() => chooseContext(summary, undefined, false)).toThrow(/not a kind cluster/);
  });
});
