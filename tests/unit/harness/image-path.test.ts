import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1ContainerStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { drainServerImageName, goVersionOf, multiStageDockerfile } from '../../../lib/run/drain-server-image.ts';
import { allPulled, nodesForWorkloads, pullPod, pullState } from '../../../lib/run/image-pull.ts';
import { kindConfigWithRegistryHosts, REGISTRY_CONFIG_PATCH } from '../../../lib/run/kind-config.ts';
import { hostsToml, LOCAL_REGISTRY, splitImage } from '../../../lib/run/registry.ts';
import { restrictedViolations } from '../../../lib/kit/pod-security.ts';

describe('image names as containerd resolves them through the local registry', () => {
  it('must split an image into its registry host and repository path, Docker Hub\'s short names included', () => {
    expect(splitImage('registry.k8s.io/e2e-test-images/agnhost:2.56')).toEqual({ host: 'registry.k8s.io', path: 'e2e-test-images/agnhost:2.56' });
    expect(splitImage('docker.io/library/node:24.21.0-slim')).toEqual({ host: 'docker.io', path: 'library/node:24.21.0-slim' });
    expect(splitImage('node:24-slim')).toEqual({ host: 'docker.io', path: 'library/node:24-slim' });
    expect(splitImage('stefanprodan/podinfo:6')).toEqual({ host: 'docker.io', path: 'stefanprodan/podinfo:6' });
    expect(splitImage(`${LOCAL_REGISTRY}/workload-conformance/drain-server:abc`)).toEqual({ host: LOCAL_REGISTRY, path: 'workload-conformance/drain-server:abc' });
    expect(splitImage('localhost/workload-conformance/agnhost:x')).toEqual({ host: 'localhost', path: 'workload-conformance/agnhost:x' });
  });

  it('must list the local registry first and fall through to the mirrored registry itself', () => {
    const k8s = hostsToml('registry.k8s.io');
    expect(k8s).toMatch(/^server = "https:\/\/registry\.k8s\.io"/);
    expect(k8s).toContain('[host."http://workload-conformance-registry:5000"]\n  capabilities = ["pull", "resolve"]');
    expect(hostsToml('docker.io')).toMatch(/^server = "https:\/\/registry-1\.docker\.io"/);
    // Images built here live only in the local registry: nothing to fall through to.
    expect(hostsToml(LOCAL_REGISTRY)).not.toContain('server =');
  });

  it('must tell containerd where the hosts files are, beside the kind config\'s own containerd patches', () => {
    const text = kindConfigWithRegistryHosts('kind: Cluster\ncontainerdConfigPatches:\n  - |-\n    [plugins."x"]\n      a = 1\n');
    expect((parse(text) as { containerdConfigPatches: string[] }).containerdConfigPatches).toEqual(['[plugins."x"]\n  a = 1', REGISTRY_CONFIG_PATCH]);
    expect((parse(kindConfigWithRegistryHosts('kind: Cluster\n')) as { containerdConfigPatches: string[] }).containerdConfigPatches).toEqual([REGISTRY_CONFIG_PATCH]);
  });
});

describe('drain-server built by the run', () => {
  it('must name the image by its source, under the local registry, so that a change builds a new one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-ds-'));
    writeFileSync(join(dir, 'go.mod'), 'module x\n\ngo 1.24\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n');
    const first = drainServerImageName(dir);
    expect(first).toMatch(new RegExp(`^${LOCAL_REGISTRY}/workload-conformance/drain-server:[0-9a-f]{12}$`));
    expect(drainServerImageName(dir)).toBe(first);
    writeFileSync(join(dir, 'main.go'), 'package main\n// changed\n');
    expect(drainServerImageName(dir)).not.toBe(first);
  });

  it('must build in the Go image go.mod asks for when there is no Go toolchain', () => {
    expect(goVersionOf('module x\n\ngo 1.24\n')).toBe('1.24');
    expect(goVersionOf('module x\n\ngo 1.26.0\n')).toBe('1.26');
    expect(multiStageDockerfile('1.24')).toMatch(/^FROM docker\.io\/library\/golang:1\.24 AS build\n[\s\S]*FROM scratch\n/);
  });
});

const node = (name: string, over: Partial<V1Node['spec']> = {}, ready = 'True', labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels }, spec: over, status: { conditions: [{ type: 'Ready', status: ready }] },
});

describe('every node pulls the workload images before the behaviours start', () => {
  it('must pull on every node a workload may land on, a one-node cluster\'s control plane included', () => {
    expect(nodesForWorkloads([
      node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      node('w2'), node('w1'), node('cordoned', { unschedulable: true }), node('down', {}, 'Unknown'),
      node('gone', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
      // Just joined: Ready, the lifecycle controller's not-ready taint not yet lifted.
      node('w3', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      node('gpu', { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }),
    ])).toEqual(['w1', 'w2', 'w3']);
    expect(nodesForWorkloads([node('solo', {}, 'True', { 'node-role.kubernetes.io/control-plane': '' })])).toEqual(['solo']);
  });

  it('must run its pull pods under Pod Security restricted, bound to their node, one container per image', () => {
    const pod = pullPod('kind-worker', ['a:1', 'b:2'], 'run1');
    expect(restrictedViolations({ apiVersion: 'v1', kind: 'Pod', ...pod })).toEqual([]);
    expect(pod.spec?.nodeName).toBe('kind-worker');
    expect(pod.spec?.containers.map((c) => c.image)).toEqual(['a:1', 'b:2']);
  });

  const status = (state: V1ContainerStatus['state']): V1ContainerStatus => ({ name: 'image-0', image: 'a:1', imageID: '', ready: false, restartCount: 0, state });

  it('must count an image pulled once its container is past the pull, whatever became of it', () => {
    expect(pullState(undefined).state).toBe('pulling');
    expect(pullState(status({ waiting: { reason: 'ContainerCreating' } })).state).toBe('pulling');
    expect(pullState(status({ terminated: { exitCode: 128, reason: 'StartError' } })).state).toBe('pulled');
    expect(pullState(status({ waiting: { reason: 'RunContainerError' } })).state).toBe('pulled');
    expect(pullState(status({ waiting: { reason: 'ErrImagePull', message: 'i/o timeout' } }))).toMatchObject({ state: 'failed', final: false });
    expect(pullState(status({ waiting: { reason: 'ErrImagePull', message: 'a:1: not found' } }))).toMatchObject({ state: 'failed', final: true });
  });

  const pod = (nodeName: string, states: Array<V1ContainerStatus['state']>): V1Pod => ({
    spec: { nodeName, containers: states.map((_, i) => ({ name: `image-${i}`, image: `img-${i}` })) },
    status: { containerStatuses: states.map((state, i) => ({ ...status(state), name: `image-${i}` })) },
  });

  it('must wait for every image on every node, and stop at a pull that cannot succeed, naming image and node', () => {
    const done = { terminated: { exitCode: 128, reason: 'StartError' } };
    expect(allPulled(4)([pod('w1', [done, done]), pod('w2', [done, { waiting: { reason: 'ContainerCreating' } }])]))
      .toMatchObject({ done: false, note: expect.stringContaining('img-1 on w2') });
    expect(allPulled(4)([pod('w1', [done, done]), pod('w2', [done, done])])).toEqual({ done: true, value: 4 });
    expect(allPulled(2)([pod('w1', [done, { waiting: { reason: 'ImagePullBackOff', message: 'manifest unknown' } }])]))
      .toEqual({ fatal: expect.stringContaining('node w1 cannot pull img-1') });
  });
});

describe('the kind on PATH', () => {
  it('must be refused when older than the kind whose node images versions.env pins, never when newer or unreadable', async () => {
    const { kindTooOld } = await import('../../../lib/run/kind.ts');
    expect(kindTooOld('kind v0.31.0 go1.25.1 linux/amd64', 'v0.33.0')).toBe('kind 0.31.0 is older than v0.33.0, whose node images this project pins');
    expect(kindTooOld('kind v0.33.0 go1.26.8 linux/amd64', 'v0.33.0')).toBeUndefined();
    expect(kindTooOld('kind v0.34.1 go1.26.8 linux/amd64', 'v0.33.0')).toBeUndefined();
    expect(kindTooOld('kind v1.0.0-alpha go1.26.8 linux/amd64', 'v0.33.0')).toBeUndefined();
    expect(kindTooOld('something else', 'v0.33.0')).toBeUndefined();
  });
});
