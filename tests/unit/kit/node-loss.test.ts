import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { restartStoppedNodes, startNodeContainer, stopNodeContainer, stoppedNodeMarkers } from '../../../lib/kit/node-containers.ts';
import type { PodSighting } from '../../../lib/kit/node-loss.ts';
import { healthyWorkers, recordPods } from '../../../lib/kit/node-loss.ts';

const node = (name: string, over: { cp?: boolean; ready?: string; taint?: string; unschedulable?: boolean } = {}): V1Node => ({
  metadata: { name, labels: over.cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
  spec: { ...(over.unschedulable ? { unschedulable: true } : {}), ...(over.taint ? { taints: [{ key: over.taint, effect: 'NoSchedule' }] } : {}) },
  status: { conditions: [{ type: 'Ready', status: over.ready ?? 'True' }] },
});

describe('healthyWorkers', () => {
  it('must never offer the control plane, nor a node not Ready, cordoned or tainted, and sort by name', () => {
    expect(healthyWorkers([node('w2'), node('cp', { cp: true }), node('w1'), node('w3', { ready: 'Unknown' }),
      node('w4', { unschedulable: true }), node('w5', { taint: 'x' })])).toEqual(['w1', 'w2']);
  });
});

describe('recordPods', () => {
  const pod = (uid: string, over: { ready?: boolean; deleting?: boolean; node?: string; tolerations?: V1Pod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never } = {}): V1Pod => ({
    metadata: { name: `p-${uid}`, uid, labels: { 'app.kubernetes.io/name': 'app' }, ...(over.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [], nodeName: over.node ?? 'n1', ...(over.tolerations ? { tolerations: over.tolerations } : {}) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }] },
  });
  it('must keep the first time each state was seen, per uid, and who vanished', () => {
    const seen = new Map<string, PodSighting>();
    recordPods(seen, [pod('a', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] })], 1);
    recordPods(seen, [pod('a', { ready: false })], 2);
    recordPods(seen, [pod('a', { ready: false, deleting: true }), pod('b', { node: 'n2', ready: false })], 3);
    recordPods(seen, [pod('a', { ready: false, deleting: true }), pod('b', { node: 'n2' })], 4);
    recordPods(seen, [pod('b', { node: 'n2' })], 5);
    expect(seen.get('a')).toMatchObject({ app: 'app', node: 'n1', firstSeenAtMs: 1, readyAtMs: 1, notReadyAtMs: 2, deletionSeenAtMs: 3,
      unreachableTolerationSeconds: [300], present: false, terminating: true });
    expect(seen.get('b')).toMatchObject({ node: 'n2', firstSeenAtMs: 3, readyAtMs: 4, present: true, unreachableTolerationSeconds: [] });
    expect(seen.get('b')?.notReadyAtMs).toBeUndefined();
  });
  it('must read a toleration of every taint (no key, Exists) as tolerating the unreachable one forever', () => {
    const seen = new Map<string, PodSighting>();
    recordPods(seen, [pod('a', { tolerations: [{ operator: 'Exists' }] })], 1);
    expect(seen.get('a')?.unreachableTolerationSeconds).toEqual([Number.POSITIVE_INFINITY]);
  });
});

describe('stopped-node markers', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'wc-nodeloss-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const ok = async () => ({ exitCode: 0, stdout: '', stderr: '' });

  it('must write the marker before docker stop runs, and leave it when the stop fails', async () => {
    const calls: string[][] = [];
    const failing = async (args: string[]) => {
      calls.push(args);
      expect(stoppedNodeMarkers(dir, 'r1').map((m) => m.node)).toEqual(['w1']);
      return { exitCode: 1, stdout: '', stderr: 'Error response from daemon: boom' };
    };
    await expect(stopNodeContainer(dir, { node: 'w1', runId: 'r1' }, failing)).rejects.toThrow('docker stop w1 failed: Error response from daemon: boom');
    expect(calls).toEqual([['stop', 'w1']]);
    expect(stoppedNodeMarkers(dir).map((m) => m.node)).toEqual(['w1']);
  });

  it('must forget the marker once docker start succeeded, and restart only this run\'s nodes on cleanup, stop first', async () => {
    await stopNodeContainer(dir, { node: 'w1', runId: 'r1' }, ok);
    await stopNodeContainer(dir, { node: 'w2', runId: 'other' }, ok);
    const calls: string[][] = [];
    const lines: string[] = [];
    expect(await restartStoppedNodes(dir, 'r1', (l) => lines.push(l), async (args) => { calls.push(args); return ok(); })).toEqual(['w1']);
    expect(calls).toEqual([['stop', 'w1'], ['start', 'w1']]);
    expect(lines).toEqual([expect.stringMatching(/^\[wc\] node w1 was stopped by this run's node-loss test: started it again/)]);
    expect(stoppedNodeMarkers(dir).map((m) => m.node)).toEqual(['w2']);
    await startNodeContainer(dir, 'w2', ok);
    expect(stoppedNodeMarkers(dir)).toEqual([]);
  });

  it('must say how to start a node it could not start, and keep its marker', async () => {
    await stopNodeContainer(dir, { node: 'w1', runId: 'r1' }, ok);
    const lines: string[] = [];
    const startFails = async (args: string[]) => (args[0] === 'start' ? { exitCode: 1, stdout: '', stderr: 'no such container' } : ok());
    expect(await restartStoppedNodes(dir, 'r1', (l) => lines.push(l), startFails)).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/could not start node w1 again.*no such container; run: docker start w1$/)]);
    expect(stoppedNodeMarkers(dir, 'r1')).toHaveLength(1);
  });
});

describe('a node stopped by a run that ended', () => {
  const kindNode = (name: string, annotations: Record<string, string> = {}, ip = '172.18.0.3'): V1Node => ({
    metadata: { name, annotations }, spec: { providerID: `kind://docker/holdout/${name}` },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  });
  const inspect = (label: string, running: string, ips: string) => async (args: string[]) =>
    (args[0] === 'container' ? { exitCode: 0, stdout: `${label}|${running}|${ips} \n`, stderr: '' } : { exitCode: 0, stdout: '', stderr: '' });

  it('must know a node\'s container by kind\'s cluster label and, while it runs, the node\'s address, never by name alone', async () => {
    const { isNodeContainerHere, kindContainerOf } = await import('../../../lib/kit/node-containers.ts');
    expect(kindContainerOf(kindNode('holdout-worker'))).toEqual({ cluster: 'holdout', container: 'holdout-worker' });
    expect(kindContainerOf({ spec: { providerID: 'aws:///eu-west-1a/i-0abc' } })).toBeUndefined();
    expect(await isNodeContainerHere(kindNode('holdout-worker'), inspect('holdout', 'true', '172.18.0.3 '))).toBe(true);
    expect(await isNodeContainerHere(kindNode('holdout-worker'), inspect('holdout', 'false', ' '))).toBe(true);
    // Same name, another kind cluster (or another engine's node with the same default name): not this node.
    expect(await isNodeContainerHere(kindNode('holdout-worker'), inspect('other', 'true', '172.18.0.3 '))).toBe(false);
    expect(await isNodeContainerHere(kindNode('holdout-worker'), inspect('holdout', 'true', '172.18.0.9 '))).toBe(false);
    expect(await isNodeContainerHere({ metadata: { name: 'n' }, spec: {} }, inspect('holdout', 'true', ''))).toBe(false);
  });

  it('must start, in the sweep, the container of a node an ended run stopped, and clear its mark; a live run\'s is left', async () => {
    const { startNodesStoppedBy, STOPPED_BY_ANNOTATION } = await import('../../../lib/kit/node-containers.ts');
    const patched: Array<{ name: string; body: unknown }> = [];
    const nodes = [kindNode('holdout-worker', { [STOPPED_BY_ANNOTATION]: 'dead' }), kindNode('holdout-worker2', { [STOPPED_BY_ANNOTATION]: 'live' })];
    const kube = { core: {
      listNode: async () => ({ items: nodes }),
      readNode: async ({ name }: { name: string }) => nodes.find((n) => n.metadata?.name === name)!,
      patchNode: async (p: { name: string; body: unknown }) => { patched.push(p); return {}; },
    } } as unknown as Parameters<typeof startNodesStoppedBy>[0];
    const calls: string[][] = [];
    const lines: string[] = [];
    const docker = async (args: string[]) => {
      calls.push(args);
      return args[0] === 'container' ? { exitCode: 0, stdout: 'holdout|false| ', stderr: '' } : { exitCode: 0, stdout: '', stderr: '' };
    };
    expect(await startNodesStoppedBy(kube, (by) => by === 'dead', (l) => lines.push(l), docker)).toEqual(['holdout-worker']);
    expect(calls.filter((c) => c[0] === 'start')).toEqual([['start', 'holdout-worker']]);
    expect(patched.map((p) => p.name)).toEqual(['holdout-worker']);
    expect(lines).toEqual(['[wc] started node holdout-worker again, left stopped by run dead']);
  });
});
