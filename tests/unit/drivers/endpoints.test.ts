import type { V1EndpointSlice } from '@kubernetes/client-node';
import { describeEndpoints, endpointOfPod, flattenEndpoints } from '../../../lib/drivers/endpoints.ts';

function slice(name: string, endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice {
  return { addressType: 'IPv4', metadata: { name }, endpoints };
}

describe('flattenEndpoints', () => {
  test('joins the endpoints of every slice of a Service, keyed by pod', () => {
    const endpoints = flattenEndpoints([
      slice('web-abc', [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'a' },
        conditions: { ready: true, serving: true, terminating: false } }]),
      slice('web-def', [{ addresses: ['10.0.0.2'], targetRef: { kind: 'Pod', name: 'b' },
        conditions: { ready: false, serving: true, terminating: true } }]),
    ]);
    expect(endpointOfPod(endpoints, 'b')).toEqual({ pod: 'b', addresses: ['10.0.0.2'], ready: false,
      serving: true, terminating: true, slice: 'web-def' });
    expect(describeEndpoints(endpoints)).toBe(
      'a 10.0.0.1 ready=true serving=true terminating=false; b 10.0.0.2 ready=false serving=true terminating=true');
  });

  test('reads unset conditions as the API documents them, so silence never passes for "not ready"', () => {
    const [endpoint] = flattenEndpoints([slice('s', [{ addresses: ['10.0.0.3'] }])]);
    expect(endpoint).toMatchObject({ pod: undefined, ready: true, serving: true, terminating: false });
  });

  test('a Service without slices or endpoints has none', () => {
    expect(flattenEndpoints([slice('empty', undefined)])).toEqual([]);
    expect(describeEndpoints([])).toBe('(no endpoints)');
  });
});
