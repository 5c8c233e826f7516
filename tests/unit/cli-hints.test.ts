import { loadConfig } from '../../lib/run/config.ts';
import { clusterEnv, shellWord } from '../../lib/run/cli/hints.ts';

const versions = { AGNHOST_IMAGE: 'a:1', BUSYBOX_IMAGE: 'b:1', KUBERNETES_MINORS: '1.37,1.35', KUBERNETES_1_37: 'v1.37.2',
  KIND_NODE_IMAGE_1_37: 'kindest/node:v1.37.0@sha256:aa', KUBERNETES_1_35: 'v1.35.4', KIND_NODE_IMAGE_1_35: 'kindest/node:v1.35.8@sha256:bb',
  METRICS_SERVER_IMAGE: 'm:1', NODE_VERSION: '24.21.0', REGISTRY_IMAGE: 'r:3' };
const options = { versions, cwd: '/work/project', home: '/home/tester' };
const prefix = (env: NodeJS.ProcessEnv, kindConfig?: boolean): string =>
  clusterEnv(loadConfig(env, options), env, kindConfig === undefined ? {} : { kindConfig });

describe('the commands the CLI prints for the next step', () => {
  it('must name the cluster, and offline mode when it is on', () => {
    expect(prefix({})).toBe('WC_CLUSTER_NAME=workload-conformance ');
    expect(prefix({ WC_OFFLINE: '1', WC_CLUSTER_NAME: 'wc-a' })).toBe('WC_OFFLINE=1 WC_CLUSTER_NAME=wc-a ');
  });

  it('must carry what decided where the cluster came from, resolved against the working directory', () => {
    const env = { WC_OFFLINE: '1', WC_CACHE_DIR: 'cache', WC_KUBERNETES_VERSION: 'v1.35.4', WC_KIND_CONFIG: 'my kind.yaml', WC_NODES: '3',
      WC_CLUSTER_NAME: 'wc-b' };
    expect(prefix(env)).toBe("WC_OFFLINE=1 WC_CACHE_DIR=/work/project/cache WC_KUBERNETES_VERSION=1.35 WC_KIND_CONFIG='/work/project/my kind.yaml' " +
      'WC_NODES=3 WC_CLUSTER_NAME=wc-b ');
    // `down` deletes by name: the kind config and node count do not matter to it.
    expect(prefix(env, false)).toBe('WC_OFFLINE=1 WC_CACHE_DIR=/work/project/cache WC_KUBERNETES_VERSION=1.35 WC_CLUSTER_NAME=wc-b ');
  });

  it('must quote a value the shell would split or expand', () => {
    expect(shellWord('/a/b-c_d.yaml')).toBe('/a/b-c_d.yaml');
    expect(shellWord("it's here")).toBe("'it'\\''s here'");
    expect(shellWord('$HOME')).toBe("'$HOME'");
  });
});
