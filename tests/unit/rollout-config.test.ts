import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byoRequested, byoWorkload } from '../../lib/run/config-rollout.ts';
import { loadPlanFromEnv } from '../../lib/run/config-rollout.ts';
import { manifestVars } from '../../lib/rollout/workload.ts';
import { agnhostWorkload } from '../../lib/rollout/spec.ts';
import { loadManifest } from '../../lib/kit/manifests.ts';

describe('bring your own workload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wc-byo-'));
  const file = join(dir, 'rollout.yaml');
  writeFileSync(file, [
    'image: ghcr.io/acme/shop:1.4.0', 'port: 9000', 'readinessPath: /ready', 'path: /whoami',
    'identify: header:X-Version', 'preStopSleepSeconds: 5',
    'from: { name: "1.4.0" }', 'to: { name: "1.5.0", image: ghcr.io/acme/shop:1.5.0, env: { FEATURE_X: "on" } }',
  ].join('\n'));

  it('reads the config file', () => {
    expect(byoRequested({ WC_ROLLOUT_CONFIG: file })).toBe(true);
    expect(byoRequested({})).toBe(false);
    expect(byoWorkload({ WC_ROLLOUT_CONFIG: file })).toMatchObject({
      image: 'ghcr.io/acme/shop:1.4.0', port: 9000, readinessPath: '/ready', requestPath: '/whoami',
      identify: { from: 'header', name: 'x-version' }, replicas: 3, terminationGracePeriodSeconds: 30, preStopSleepSeconds: 5,
      from: { name: '1.4.0' }, to: { name: '1.5.0', image: 'ghcr.io/acme/shop:1.5.0', env: { FEATURE_X: 'on' } },
    });
  });

  it('lets environment variables win and works without a file', () => {
    const spec = byoWorkload({ WC_ROLLOUT_CONFIG: file, WC_ROLLOUT_PORT: '8081', WC_ROLLOUT_NEXT_IMAGE: 'x:2' });
    expect(spec.port).toBe(8081);
    expect(spec.to.image).toBe('x:2');
    expect(byoWorkload({ WC_ROLLOUT_IMAGE: 'app:1' })).toMatchObject({ image: 'app:1', port: 8080, requestPath: '/', identify: { from: 'body' } });
  });

  it('rejects what cannot work with one actionable message', () => {
    expect(() => byoWorkload({ WC_ROLLOUT_CONFIG: join(dir, 'missing.yaml') })).toThrow(/cannot read/);
    expect(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_PORT: 'http' })).toThrow(/port must be a positive integer/);
    expect(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_IDENTIFY: 'json' })).toThrow(/identify/);
  });
});

describe('rollout manifest', () => {
  it('renders the reference workload: surge-only rollout, readiness probe, grace above the drain, NodePort 30080', () => {
    const [deployment, service] = loadManifest('rollout-workload.yaml', manifestVars(agnhostWorkload('agnhost:2.56', 5))) as [V1Deployment, V1Service];
    expect(deployment.spec!.strategy!.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = deployment.spec!.template.spec!;
    const app = pod.containers[0]!;
    expect(pod.terminationGracePeriodSeconds).toBe(15);
    expect(app.args).toEqual(['netexec', '--http-port=8080', '--udp-port=8081', '--delay-shutdown=5']);
    expect(app.env).toEqual([{ name: 'WC_VERSION', value: 'v1' }]);
    expect(app.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(app.lifecycle).toEqual({});
    expect(deployment.spec!.template.metadata!.labels!['workload-conformance.io/version']).toBe('v1');
    expect(service.spec).toMatchObject({ type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] });
  });
});

describe('load plan', () => {
  it('defaults to two modes at 200 req/s and 10,000 requests each', () => {
    expect(loadPlanFromEnv({})).toMatchObject({ modes: ['fresh', 'keepalive'], ratePerSecond: 200, minRequestsPerMode: 10_000 });
    expect(() => loadPlanFromEnv({ WC_ROLLOUT_MODES: 'http2' })).toThrow(/fresh and\/or keepalive/);
    expect(() => loadPlanFromEnv({ WC_ROLLOUT_RATE: '-1' })).toThrow(/positive/);
  });
});
