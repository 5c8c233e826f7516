import type { V1Endpoint } from '@kubernetes/client-node';
import { describeEndpoints, endpointOfPod, viewEndpoint } from '../../../lib/kit/services.ts';

const endpoints: V1Endpoint[] = [
  { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'a' }, conditions: { ready: true, serving: true, terminating: false } },
  { addresses: ['10.0.0.2'], targetRef: { kind: 'Pod', name: 'b' }, conditions: { ready: false, serving: true, terminating: true } },
];

describe('endpoint views', () => {
  test('finds the endpoint of a pod with its conditions', () => {
    expect(endpointOfPod(endpoints, 'b')).toEqual({ pod: 'b', addresses: ['10.0.0.2'], ready: false, serving: true, terminating: true });
    expect(endpointOfPod(endpoints, 'c')).toBeUndefined();
  });

  test('reads unset conditions as the API documents them, so silence never passes for "not ready"', () => {
    expect(viewEndpoint({ addresses: ['10.0.0.3'] })).toEqual({ pod: undefined, addresses: ['10.0.0.3'], ready: true,
      serving: true, terminating: false });
    expect(viewEndpoint({ addresses: ['10.0.0.4'], conditions: { ready: false } }).serving).toBe(false);
  });

  test('describes each endpoint on one line', () => {
    expect(describeEndpoints(endpoints)).toEqual([
      'a 10.0.0.1 ready=true serving=true terminating=false', 'b 10.0.0.2 ready=false serving=true terminating=true']);
  });
});
