import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byoRequested, byoWorkload } from '../../lib/run/config-rollout.ts';
import { checkRolloutInput, hostTargetFor, loadPlanFromEnv, parseLoadPods, referenceWeakenings } from '../../lib/run/config-rollout.ts';
import { manifestVars } from '../../lib/rollout/workload.ts';
import { agnhostWorkload, drainServerWorkload } from '../../lib/rollout/spec.ts';
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
    expect(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_PORT: 'http' })).toThrow(/WC_ROLLOUT_PORT must be a positive integer, got "http"/);
    expect(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_IDENTIFY: 'json' })).toThrow(/identify/);
  });
});

describe('rollout manifest', () => {
  it('renders the reference workload: surge-only rollout, readiness probe, grace above the drain, NodePort 30080', () => {
    const [service, deployment] = loadManifest('rollout-workload.yaml', manifestVars(agnhostWorkload('agnhost:2.56', 5))) as [V1Service, V1Deployment];
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

  it('asks the API to allocate the NodePort with 0, and creates the Service before the Deployment (a taken port leaves nothing behind)', () => {
    const objects = loadManifest('rollout-workload.yaml', manifestVars(agnhostWorkload('agnhost:2.56', 5), 0));
    expect(objects.map((o) => o.kind)).toEqual(['Service', 'Deployment']);
    expect((objects[0] as V1Service).spec!.ports![0]!.nodePort).toBe(0);
  });

  it('drains drain-server for the drain and then until quiet, with a grace period that leaves room for the wait; the control exits at once', () => {
    const drained = drainServerWorkload('drain-server:x', 10);
    expect(drained.args).toEqual(['--port=8080', '--drain=10s', '--until-quiet=3s']);
    expect(drained.terminationGracePeriodSeconds).toBe(30);
    const control = drainServerWorkload('drain-server:x', 0);
    expect(control.args).toEqual(['--port=8080', '--drain=0s']);
  });
});

describe('load plan', () => {
  it('defaults to two modes at 200 req/s and 10,000 requests each', () => {
    expect(loadPlanFromEnv({})).toMatchObject({ modes: ['fresh', 'keepalive'], ratePerSecond: 200, minRequestsPerMode: 10_000 });
    expect(() => loadPlanFromEnv({ WC_ROLLOUT_MODES: 'http2' })).toThrow(/"http2"; the modes are fresh, keepalive, keepalive-retry-idempotent, keepalive-rotate-1s/);
    expect(loadPlanFromEnv({ WC_ROLLOUT_MODES: 'keepalive-retry-idempotent,keepalive-rotate-1s' }).modes).toEqual(['keepalive-retry-idempotent', 'keepalive-rotate-1s']);
    expect(loadPlanFromEnv({}).maxSendGapMs).toBe(1000);
    expect(() => loadPlanFromEnv({ WC_ROLLOUT_RATE: '-1' })).toThrow(/positive/);
  });
});

describe('rollout configuration mistakes: one clear line each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wc-byo-bad-'));
  const fileWith = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return { WC_ROLLOUT_CONFIG: path };
  };
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('no error thrown');
  };

  it('names a misspelled (unknown) key instead of ignoring it', () => {
    expect(message(() => byoWorkload(fileWith('typo.yaml', 'image: a\nreadinesPath: /ready\n')))).toMatch(/readinesPath is not a known field \(known: image, args, port/);
    expect(message(() => byoWorkload(fileWith('typo-to.yaml', 'image: a\nto: { name: v2, imgae: b }\n')))).toMatch(/to\.imgae is not a known field/);
  });
  it('names a wrong type', () => {
    expect(message(() => byoWorkload(fileWith('type.yaml', 'image: a\nport: "8080x"\n')))).toMatch(/port must be a positive integer, got string "8080x"/);
    expect(message(() => byoWorkload(fileWith('args.yaml', 'image: a\nargs: --drain=5\n')))).toMatch(/args must be a list of strings, got string "--drain=5"/);
    expect(message(() => byoWorkload(fileWith('env.yaml', 'image: a\nto: { name: v2, env: { X: 1 } }\n')))).toMatch(/to\.env must be a mapping of names to string values/);
    expect(message(() => byoWorkload(fileWith('from.yaml', 'image: a\nfrom: v1\n')))).toMatch(/from must be a mapping, got string "v1"/);
    expect(message(() => byoWorkload(fileWith('noname.yaml', 'image: a\nto: { image: b }\n')))).toMatch(/to\.name is missing/);
  });
  it('names bad YAML and bad JSON with the parser\'s own first line', () => {
    expect(message(() => byoWorkload(fileWith('bad.yaml', 'image: [a\n')))).toMatch(/bad\.yaml is not valid YAML: /);
    expect(message(() => byoWorkload(fileWith('bad.json', '{"image": "a",}')))).toMatch(/bad\.json is not valid JSON: /);
    expect(message(() => byoWorkload(fileWith('list.yaml', '- a\n- b\n')))).toMatch(/must be a YAML\/JSON mapping of fields, got a list/);
    expect(message(() => byoWorkload(fileWith('dup.yaml', 'image: a\nimage: b\n')))).toMatch(/not valid YAML: .*[Mm]ap keys must be unique/);
  });
  it('names a malformed WC_ROLLOUT_ARGS instead of a raw parse error', () => {
    expect(message(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_ARGS: '--drain=5' }))).toMatch(/WC_ROLLOUT_ARGS must be a JSON array of strings .* is not JSON/);
    expect(message(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_ARGS: '[5]' }))).toMatch(/WC_ROLLOUT_ARGS must be a JSON array of strings .*got a list/);
    expect(byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_ARGS: '["--drain=5s"]' }).args).toEqual(['--drain=5s']);
  });
  it('never turns a non-number into NaN', () => {
    expect(message(() => loadPlanFromEnv({ WC_ROLLOUT_RATE: 'fast' }))).toMatch(/WC_ROLLOUT_RATE must be a positive number, got "fast"/);
    expect(message(() => loadPlanFromEnv({ WC_ROLLOUT_MIN_REQUESTS: '1e4x' }))).toMatch(/WC_ROLLOUT_MIN_REQUESTS must be a positive number/);
    expect(message(() => byoWorkload({ WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_PRESTOP_SLEEP: 'five' }))).toMatch(/WC_ROLLOUT_PRESTOP_SLEEP must be a positive integer, got "five"/);
  });
  it('lists every mistake at once, and names the removed keep-alive age setting', () => {
    const m = message(() => byoWorkload(fileWith('many.yaml', 'imag: a\nport: x\n')));
    expect(m).toMatch(/3 mistakes/);
    expect(m).toMatch(/imag is not a known field/);
    expect(m).toMatch(/port must be a positive integer/);
    expect(m).toMatch(/no image/);
    expect(message(() => loadPlanFromEnv({ WC_ROLLOUT_KEEPALIVE_MAX_AGE_MS: '1000' }))).toMatch(/keepalive-rotate-1s/);
  });
  it('are found at the run\'s start, whichever rollout input holds them; none asked for is none found', () => {
    expect(message(() => checkRolloutInput(fileWith('start.yaml', 'workload: [\n')))).toMatch(/start\.yaml is not valid YAML: /);
    expect(message(() => checkRolloutInput({ WC_ROLLOUT_LOAD: 'cluster' }))).toMatch(/WC_ROLLOUT_LOAD must be auto, host or pod, got "cluster"/);
    expect(message(() => checkRolloutInput({ WC_ROLLOUT_MODES: 'fresh,pooled' }))).toMatch(/WC_ROLLOUT_MODES lists "pooled"/);
    const all = message(() => checkRolloutInput({ WC_ROLLOUT_RATE: 'x', WC_ROLLOUT_LOAD: 'cluster', WC_ROLLOUT_IMAGE: 'a', WC_ROLLOUT_PORT: 'abc' }));
    expect(all.split('\n')).toEqual(['WC_ROLLOUT_RATE must be a positive number, got "x"', 'WC_ROLLOUT_LOAD must be auto, host or pod, got "cluster"',
      'WC_ROLLOUT_PORT must be a positive integer, got "abc"']);
    expect(() => checkRolloutInput({})).not.toThrow();
    expect(() => checkRolloutInput({ WC_ROLLOUT_IMAGE: 'app:1' })).not.toThrow();
  });
});

describe('settings weaker than the reference cases\' titles', () => {
  it('must be refused at the run\'s start, each named with what the titles promise', () => {
    expect(referenceWeakenings({ WC_ROLLOUT_MIN_REQUESTS: '500', WC_ROLLOUT_MAX_SEND_GAP_MS: '5000', WC_ROLLOUT_MODES: 'fresh', WC_ROLLOUT_LOAD: 'pod' })).toEqual([
      'WC_ROLLOUT_MIN_REQUESTS=500 (the titles promise >= 10,000 requests per mode)',
      'WC_ROLLOUT_MAX_SEND_GAP_MS=5000 (the titles promise no send gap over 1 s)',
      'WC_ROLLOUT_MODES=fresh (the titles promise both fresh connections and strict keep-alive)',
      'WC_ROLLOUT_LOAD=pod (the host cases\' titles promise the load from this machine)',
    ]);
    expect(() => checkRolloutInput({ WC_ROLLOUT_MIN_REQUESTS: '500' }))
      .toThrow('these settings would make the reference rolling-update cases weaker than their titles: WC_ROLLOUT_MIN_REQUESTS=500 (the titles promise >= 10,000 requests per mode)');
  });

  it('must let through settings that keep or strengthen the promises', () => {
    expect(referenceWeakenings({ WC_ROLLOUT_MIN_REQUESTS: '20000', WC_ROLLOUT_MAX_SEND_GAP_MS: '500', WC_ROLLOUT_MODES: 'fresh,keepalive,keepalive-rotate-1s',
      WC_ROLLOUT_LOAD: 'host', WC_ROLLOUT_RATE: '100' })).toEqual([]);
    expect(() => checkRolloutInput({ WC_ROLLOUT_LOAD: 'auto' })).not.toThrow();
  });
});

describe('host target', () => {
  it('comes from the kind config\'s mapping of NodePort 30080, unless WC_ROLLOUT_TARGET says otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-kind-'));
    const config = join(dir, 'kind.yaml');
    writeFileSync(config, [
      'kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', '  - role: control-plane', '    extraPortMappings:',
      '      - { containerPort: 30080, hostPort: 31080, listenAddress: 127.0.0.1 }',
    ].join('\n'));
    expect(hostTargetFor({}, config)).toBe('http://127.0.0.1:31080');
    expect(hostTargetFor({ WC_ROLLOUT_TARGET: 'http://10.0.0.1:80' }, config)).toBe('http://10.0.0.1:80');
    expect(hostTargetFor({})).toBe('http://127.0.0.1:30080');
  });
});

describe('WC_ROLLOUT_LOAD_PODS', () => {
  it('is 1 unless set, and takes a whole number from 1 to 8', () => {
    expect(parseLoadPods(undefined)).toBe(1);
    expect(parseLoadPods('')).toBe(1);
    expect(parseLoadPods(' 2 ')).toBe(2);
    expect(parseLoadPods('8')).toBe(8);
  });

  it.each(['0', '9', '1.5', 'two', '-1'])('refuses %s in one sentence naming the range', (raw) => {
    expect(() => parseLoadPods(raw)).toThrow(`WC_ROLLOUT_LOAD_PODS must be a whole number from 1 to 8 (how many in-cluster generator pods share the load), got "${raw}"`);
  });

  it('is checked at the run\'s start with the other rollout settings', () => {
    expect(() => checkRolloutInput({ WC_ROLLOUT_LOAD_PODS: '12' })).toThrow('WC_ROLLOUT_LOAD_PODS must be a whole number from 1 to 8');
  });
});
