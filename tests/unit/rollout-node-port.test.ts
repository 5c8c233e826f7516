import type { V1Service } from '@kubernetes/client-node';
import { describeHolder, nodePortFree, nodePortHolders } from '../../lib/rollout/node-port.ts';

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
