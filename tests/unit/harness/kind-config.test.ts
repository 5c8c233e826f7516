import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reasonFrom } from '../../../lib/run/commands.ts';
import { hostAddressFor, parsePortMappings, readPortMappings } from '../../../lib/kit/node-ports.ts';
import { parse } from 'yaml';
import { CGROUP_V1_KUBELET_PATCH, checkHostPortsFree, kindConfigForCgroup, kindConfigWithNodes, nodesInKindConfig, withFreeHostPorts } from '../../../lib/run/kind-config.ts';
import { REPO_ROOT } from '../../../lib/run/versions.ts';

const dir = mkdtempSync(join(tmpdir(), 'wc-kind-config-'));
function config(mappings: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraPortMappings:\n${mappings}`);
  return path;
}

describe('kind config port mappings', () => {
  it('must find the repository config\'s NodePort mappings on 127.0.0.1', () => {
    expect(readPortMappings(join(REPO_ROOT, 'kind-config.yaml'))).toEqual([
      { containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1' },
      { containerPort: 30081, hostPort: 30081, listenAddress: '127.0.0.1' }]);
    expect(hostAddressFor(join(REPO_ROOT, 'kind-config.yaml'), 30081)).toBe('127.0.0.1:30081');
  });

  it('must follow a mapping to another host port, and read an unset listen address as every interface', () => {
    const path = config('      - containerPort: 30081\n        hostPort: 31081\n');
    expect(hostAddressFor(path, 30081)).toBe('127.0.0.1:31081');
    expect(parsePortMappings('nodes: [{}]')).toEqual([]);
  });

  it('must say in one line that a kind config is missing or not YAML, naming the file and the place', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Cluster\nnodes:\n  - role: [\n');
    expect(() => readPortMappings(bad)).toThrow(/^.*bad\.yaml is not valid YAML: [^\n]*line 4, column 1:?$/);
    expect(() => readPortMappings(join(dir, 'none.yaml'))).toThrow(/none\.yaml cannot be read \(.*ENOENT/);
  });

  it('must say which node port has no mapping', () => {
    expect(() => hostAddressFor(config('      - containerPort: 30080\n'), 30081)).toThrow(/maps no host port to node port 30081/);
  });

  it('must refuse to create a cluster whose host port is taken, naming the port, before anything is created', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const path = config(`      - containerPort: 30081\n        hostPort: ${port}\n        listenAddress: "127.0.0.1"\n`);
      await expect(checkHostPortsFree(path)).rejects.toThrow(`host port 127.0.0.1:${port} (extraPortMappings in ${path}) is already in use`);
    } finally {
      server.close();
    }
  });
});

async function listening(): Promise<{ port: number; close: () => void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

describe('a kind config with free host ports (CI beside a kept cluster)', () => {
  it('must hand back the config itself when its host ports are free', async () => {
    const held = await listening();
    held.close(); // a port just freed: free now
    const path = config(`      - containerPort: 30081\n        hostPort: ${held.port}\n        listenAddress: "127.0.0.1"\n`);
    await expect(withFreeHostPorts(path, join(dir, 'unused.yaml'))).resolves.toEqual({ path, moved: [] });
  });

  it('must move only a taken host port, to a free one, keeping its node port and the config\'s comments', async () => {
    const held = await listening();
    // The other mapping's host port must be free whatever else runs here: a kind cluster kept on this machine holds
    // 30081 (CI, the very case this serves, once failed this test on that), so it is a port just freed.
    const freed = await listening();
    freed.close();
    try {
      const path = config(`      # the load target\n      - containerPort: 30080\n        hostPort: ${held.port}\n        listenAddress: "127.0.0.1"\n` +
        `      - containerPort: 30081\n        hostPort: ${freed.port}\n        listenAddress: "127.0.0.1"\n`);
      const copy = join(dir, 'moved.yaml');
      const { path: used, moved } = await withFreeHostPorts(path, copy);
      expect(used).toBe(copy);
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatchObject({ containerPort: 30080, from: held.port });
      expect(moved[0]!.to).toBeGreaterThanOrEqual(held.port + 1000);
      expect(hostAddressFor(copy, 30080)).toBe(`127.0.0.1:${moved[0]!.to}`);
      expect(hostAddressFor(copy, 30081)).toBe(hostAddressFor(path, 30081));
      expect(readFileSync(copy, 'utf8')).toContain('# the load target');
      await expect(checkHostPortsFree(copy)).resolves.toBeUndefined();
    } finally {
      held.close();
    }
  });
});

describe('failed command output', () => {
  it('must pick the daemon\'s reason out of kind\'s long failure output', () => {
    const stderr = [' ✗ Preparing nodes 📦', 'ERROR: failed to create cluster: command "docker run --name x ..." failed with error: exit status 125',
      'Command Output: df72', 'docker: Error response from daemon: Bind for 127.0.0.1:30081 failed: port is already allocated', '',
      "Run 'docker run --help' for more information"].join('\n');
    expect(reasonFrom(stderr)).toBe('docker: Error response from daemon: Bind for 127.0.0.1:30081 failed: port is already allocated');
  });
});

describe('kind config for the host\'s cgroup version', () => {
  const repoConfig = readFileSync(join(REPO_ROOT, 'kind-config.yaml'), 'utf8');

  it('must tell the kubelets failCgroupV1: false on a cgroup v1 host, keeping every patch and mapping the config has', () => {
    const before = parse(repoConfig) as { kubeadmConfigPatches: string[] };
    const after = parse(kindConfigForCgroup(repoConfig, 1)) as { kubeadmConfigPatches: string[] };
    expect(after.kubeadmConfigPatches).toEqual([...before.kubeadmConfigPatches, CGROUP_V1_KUBELET_PATCH]);
    expect(parse(CGROUP_V1_KUBELET_PATCH)).toEqual({ kind: 'KubeletConfiguration', failCgroupV1: false });
    expect(parse(kindConfigForCgroup(repoConfig, 1))).toEqual({ ...(parse(repoConfig) as object), kubeadmConfigPatches: after.kubeadmConfigPatches });
  });

  it('must leave the config as written on a cgroup v2 host, and add the list when a config has no patches', () => {
    expect(kindConfigForCgroup(repoConfig, 2)).toBe(repoConfig);
    const bare = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
    expect(parse(kindConfigForCgroup(bare, 1))).toEqual({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', kubeadmConfigPatches: [CGROUP_V1_KUBELET_PATCH] });
    expect(() => kindConfigForCgroup(`${bare}kubeadmConfigPatches: nope\n`, 1)).toThrow(/kubeadmConfigPatches is not a list/);
  });
});

describe('kind config node count (WC_NODES)', () => {
  const repoConfig = readFileSync(join(REPO_ROOT, 'kind-config.yaml'), 'utf8');
  type Nodes = { nodes: Array<{ role: string; extraPortMappings?: unknown[] }> };

  it('must keep the control plane as written (its port mappings) and add workers up to the whole count', () => {
    const before = parse(repoConfig) as Nodes;
    expect(nodesInKindConfig(repoConfig)).toBe(3);
    expect(before.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    const after = parse(kindConfigWithNodes(repoConfig, 4)) as Nodes;
    expect(after.nodes).toEqual([before.nodes[0], { role: 'worker' }, { role: 'worker' }, { role: 'worker' }]);
    expect(parse(kindConfigWithNodes(repoConfig, 4))).toEqual({ ...(parse(repoConfig) as object), nodes: after.nodes });
    expect(parse(kindConfigWithNodes(repoConfig, 1))).toEqual({ ...(parse(repoConfig) as object), nodes: [before.nodes[0]] });
  });

  it('must replace the workers a config lists, so the count is the whole cluster, and refuse fewer than its control planes', () => {
    const three = kindConfigWithNodes(repoConfig, 3);
    expect((parse(kindConfigWithNodes(three, 2)) as Nodes).nodes.map((n) => n.role)).toEqual(['control-plane', 'worker']);
    expect((parse(kindConfigWithNodes(three, 1)) as Nodes).nodes.map((n) => n.role)).toEqual(['control-plane']);
    const bare = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
    expect((parse(kindConfigWithNodes(bare, 2)) as Nodes).nodes).toEqual([{ role: 'control-plane' }, { role: 'worker' }]);
    const twoPlanes = `${bare}nodes:\n  - role: control-plane\n  - role: control-plane\n`;
    expect(() => kindConfigWithNodes(twoPlanes, 1)).toThrow(/fewer than the config's 2 control-plane nodes/);
  });
});
