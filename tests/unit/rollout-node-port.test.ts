import type { V1Node, V1Service } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { unreachableHostTarget } from '../../lib/rollout/load/placement.ts';
import {
  describeHolder, nodeAddressForHost, nodePortFree, nodePortHolders, portAlreadyAllocated, rolloutNodePort,
} from '../../lib/rollout/node-port.ts';
import { hostTargetFor } from '../../lib/run/config-rollout.ts';

const service = (namespace: string, name: string, nodePort: number | undefined, labels: Record<string, string> = {}): V1Service =>
  ({ metadata: { namespace, name, labels }, spec: { ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] } });
const ours = (run: string) => ({ 'app.kubernetes.io/managed-by': 'workload-conformance', 'workload-conformance.io/run': run });

describe('who holds the rollout NodePort', () => {
  it('must find the Services holding the port, with the run that made each', () => {
    const holders = nodePortHolders([service('wc-rolling-update-r1', 'byo', 30080, ours('r1')), service('default', 'kubernetes', undefined),
      service('shop', 'web', 30081)], 30080);
    expect(holders).toEqual([{ namespace: 'wc-rolling-update-r1', service: 'byo', run: 'r1', ours: true }]);
    expect(describeHolder(holders[0]!)).toBe('Service byo in namespace wc-rolling-update-r1 (run r1 of this suite)');
  });

  it('must wait while a Service of this suite holds it, be done when none does, and name at once one it did not make', () => {
    const seen = { holders: [] };
    expect(nodePortFree(30080, seen)([service('wc-x-r1', 'byo', 30080, ours('r1'))]))
      .toEqual({ done: false, note: 'held by Service byo in namespace wc-x-r1 (run r1 of this suite)' });
    expect(nodePortFree(30080, seen)([service('shop', 'web', 30081)])).toEqual({ done: true, value: undefined });
    expect(nodePortFree(30080, seen)([service('shop', 'web', 30080)]))
      .toEqual({ fatal: 'NodePort 30080 is held by Service web in namespace shop, which this suite did not make' });
  });
});

describe('which NodePort the rollout Service asks for', () => {
  it('must take the fixed port only when the load may come from this machine through a target naming it', () => {
    expect(rolloutNodePort('host', 'http://127.0.0.1:30080', 30080)).toBe(30080);
    expect(rolloutNodePort('auto', 'http://10.0.0.1:30080', 30080)).toBe(30080);
    // The in-cluster generator reaches the Service by its DNS name: any port will do.
    expect(rolloutNodePort('pod', 'http://127.0.0.1:30080', 30080)).toBe(0);
    // An existing cluster without WC_ROLLOUT_TARGET: the API allocates one.
    expect(rolloutNodePort('host', undefined, 30080)).toBe(0);
  });

  it('must have no host target on an existing cluster unless WC_ROLLOUT_TARGET names one; a kind cluster keeps its mapping', () => {
    expect(hostTargetFor({}, undefined, 'existing')).toBeUndefined();
    expect(hostTargetFor({ WC_ROLLOUT_TARGET: 'http://10.0.0.1:30080' }, undefined, 'existing')).toBe('http://10.0.0.1:30080');
    expect(hostTargetFor({}, undefined, 'kind')).toBe('http://127.0.0.1:30080');
  });

  it('must tell the API\'s "already allocated" 422 from its other answers', () => {
    const body = 'Service "byo" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated';
    expect(portAlreadyAllocated(new ApiException(422, body, body, {}))).toBe(true);
    expect(portAlreadyAllocated(new ApiException(422, 'spec.ports[0].port: Invalid value', '', {}))).toBe(false);
    expect(portAlreadyAllocated(new ApiException(409, body, body, {}))).toBe(false);
  });
});

describe('the node address this machine tries for an allocated NodePort', () => {
  const node = (name: string, ready: boolean, addresses: Array<[string, string]>): V1Node => ({
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], addresses: addresses.map(([type, address]) => ({ type, address })) },
  });

  it('must be the first Ready node\'s ExternalIP, else its InternalIP; never a node that is not Ready', () => {
    expect(nodeAddressForHost([node('b', true, [['InternalIP', '172.18.0.3']]), node('a', false, [['InternalIP', '172.18.0.2']])]))
      .toEqual({ node: 'b', address: '172.18.0.3' });
    expect(nodeAddressForHost([node('a', true, [['Hostname', 'a'], ['InternalIP', '10.0.0.5'], ['ExternalIP', '203.0.113.7']])]))
      .toEqual({ node: 'a', address: '203.0.113.7' });
    expect(nodeAddressForHost([node('a', true, [['InternalIP', 'fc00:f853:ccd:e793::2']])])).toEqual({ node: 'a', address: '[fc00:f853:ccd:e793::2]' });
    expect(nodeAddressForHost([node('a', true, [['Hostname', 'a']]), node('c', false, [['InternalIP', '10.0.0.9']])])).toBeUndefined();
  });

  it('must say, when unreachable, where the target came from and how to give another', () => {
    const allocated = unreachableHostTarget({ clusterMode: 'existing', hostTarget: 'http://172.18.0.2:31234',
      allocated: 'node n1\'s address, NodePort 31234 allocated by the API' }, '/');
    expect(allocated.message).toContain('http://172.18.0.2:31234/ (node n1\'s address, NodePort 31234 allocated by the API) did not answer');
    expect(allocated.hint).toMatch(/set WC_ROLLOUT_TARGET to an address where it reaches NodePort 30080 \(the Service then takes that fixed port/);
    expect(unreachableHostTarget({ clusterMode: 'existing', allocated: 'NodePort 31234 allocated by the API' }, '/').message)
      .toContain('no Ready node lists an address this machine could try');
    expect(unreachableHostTarget({ clusterMode: 'kind', hostTarget: 'http://127.0.0.1:30080' }, '/').hint).toContain('extraPortMappings');
  });
});
