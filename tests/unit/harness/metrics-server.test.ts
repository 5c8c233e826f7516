import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { installedByUs, servingPathSummary } from '../../../lib/run/metrics-server.ts';

const pod: V1Pod = {
  metadata: { name: 'metrics-server-abc' },
  status: { podIP: '10.244.0.7', conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'metrics-server', restartCount: 1, ready: true, image: 'i', imageID: 'i' }] },
};
const slice: V1EndpointSlice = {
  addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.7'], conditions: { ready: true } }], ports: [{ name: 'https', port: 10250 }],
};

describe('metrics-server setup', () => {
  it('must describe the serving path: the pod, its endpoint, and what the service proxy answered', () => {
    expect(servingPathSummary([pod], [slice], 404)).toBe('pod metrics-server-abc 10.244.0.7 Ready restarts=1; ' +
      'endpoints 10.244.0.7:10250; GET /apis/metrics.k8s.io/v1beta1 through the API server\'s service proxy: 404');
  });

  it('must say when an API server answers at the endpoint itself (the proxy\'s 403), and name a not-ready endpoint', () => {
    const notReady = { ...slice, endpoints: [{ addresses: ['10.244.0.8'], conditions: { ready: false } }] };
    const line = servingPathSummary([], [notReady], 403);
    expect(line).toContain('no pod; endpoints 10.244.0.8 (not ready):10250');
    expect(line).toContain(': 403 (an API server answers at the endpoint itself: if the aggregator gets 404 from the Service address, its connection ends elsewhere)');
  });

  it('must report a read that failed instead of failing the description', () => {
    expect(servingPathSummary('forbidden', [], 'connect ECONNREFUSED')).toBe(
      'pods unreadable (forbidden); endpoints none; the service proxy failed (connect ECONNREFUSED)');
  });

  it('must repair only an APIService this harness made', () => {
    expect(installedByUs({ metadata: { labels: { 'app.kubernetes.io/managed-by': 'workload-conformance' } } })).toBe(true);
    expect(installedByUs({ metadata: { labels: { 'k8s-app': 'metrics-server' } } })).toBe(false);
    expect(installedByUs({})).toBe(false);
  });
});
