import { auditInput, AuditInputError, readObjects, selects } from '../../lib/audit/input.ts';

const deployment = (name: string, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name}, tier: web } }
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: app
          image: shop:1
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
          ports: [{ name: http, containerPort: 8080 }]
${extra}`;
const service = (name: string, app: string, clusterIP = '') => `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  ${clusterIP}
  selector: { app: ${app} }
  ports: [{ port: 80, targetPort: http }]
`;
const files = (docs: Record<string, string>) => (file: string): string => {
  const text = docs[file];
  if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return text;
};
const fails = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuditInputError);
    return (err as Error).message;
  }
  throw new Error('expected an AuditInputError');
};

describe('the audit\'s input', () => {
  it('finds the workload, its Service, PDB and HPA across files, and creates the workload last without its namespace', () => {
    const read = files({
      'app.yaml': `${deployment('web')}---\n${service('web', 'web')}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
`,
      'more.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 2, maxReplicas: 4 }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data: { a: b }
`,
    });
    const input = auditInput(['app.yaml', 'more.yaml'], {}, read);
    expect(input.workload).toMatchObject({ kind: 'Deployment', name: 'web' });
    expect(input.target).toMatchObject({ created: false, port: 80, path: '/', pathFrom: 'default' });
    expect(input.target.service.metadata?.name).toBe('web');
    expect(input.budget?.metadata?.name).toBe('web');
    expect(input.autoscaler?.metadata?.name).toBe('web');
    expect(input.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Service/web', 'PodDisruptionBudget/web', 'HorizontalPodAutoscaler/web', 'ConfigMap/web-config', 'Deployment/web']);
    expect(input.objects.at(-1)!.metadata).not.toHaveProperty('namespace');
  });

  it('makes a ClusterIP Service for the first container port when none selects the workload, and says so', () => {
    const input = auditInput(['a.yaml'], {}, files({ 'a.yaml': deployment('web') }));
    expect(input.target).toMatchObject({ created: true, port: 8080 });
    expect(input.target.service.spec).toEqual({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] });
    expect(input.notes[0]).toBe('no Service selects Deployment/web: made ClusterIP Service/web-audit for container port 8080');
  });

  it('sends the load to the liveness probe\'s path (never the readiness one, which a draining pod fails on purpose) unless --path is given', () => {
    const probed = deployment('web').replace('ports: [{ name: http, containerPort: 8080 }]',
      'ports: [{ name: http, containerPort: 8080 }]\n          readinessProbe: { httpGet: { path: /ready, port: http } }\n          livenessProbe: { httpGet: { path: /live, port: http } }');
    expect(auditInput(['a'], {}, files({ a: probed })).target).toMatchObject({ path: '/live', pathFrom: 'liveness probe' });
    expect(auditInput(['a'], { path: '/api' }, files({ a: probed })).target).toMatchObject({ path: '/api', pathFrom: 'option' });
    expect(fails(() => auditInput(['a'], { path: 'api' }, files({ a: probed })))).toBe('--path must start with "/", got "api"');
  });

  it('takes the liveness probe\'s path only when the probe is on the port the Service sends to (an admin port\'s path would be a 404 there), and says which it took', () => {
    const withPorts = (probePort: string) => deployment('web').replace('ports: [{ name: http, containerPort: 8080 }]',
      `ports: [{ name: http, containerPort: 8080 }, { name: admin, containerPort: 9090 }]\n          livenessProbe: { httpGet: { path: /live, port: ${probePort} } }`);
    const onServed = auditInput(['a'], {}, files({ a: `${withPorts('8080')}---\n${service('web', 'web')}` }));
    expect(onServed.target).toMatchObject({ path: '/live', pathFrom: 'liveness probe' });
    expect(onServed.notes).toContain('load path /live (the liveness probe\'s)');
    const onAdmin = auditInput(['a'], {}, files({ a: `${withPorts('admin')}---\n${service('web', 'web')}` }));
    expect(onAdmin.target).toMatchObject({ path: '/', pathFrom: 'default' });
    expect(onAdmin.notes).toContain('load path / (the liveness probe\'s /live is on port 9090, not 8080; --path names one the served port answers)');
    // No Service: the one the audit makes sends to the first container port.
    expect(auditInput(['a'], {}, files({ a: withPorts('http') })).target).toMatchObject({ path: '/live', pathFrom: 'liveness probe' });
    // A sidecar listed first, probed on its own port: the app's probe on the served port is the one taken.
    const sidecarFirst = deployment('web').replace('      containers:\n', `      containers:
        - name: proxy
          image: proxy:1
          ports: [{ name: admin, containerPort: 9901 }]
          livenessProbe: { httpGet: { path: /ready, port: admin } }\n`).replace('ports: [{ name: http, containerPort: 8080 }]',
      'ports: [{ name: http, containerPort: 8080 }]\n          livenessProbe: { httpGet: { path: /live, port: http } }');
    expect(auditInput(['a'], { podSecurity: 'baseline' }, files({ a: `${sidecarFirst}---\n${service('web', 'web')}` })).target).toMatchObject({ path: '/live', pathFrom: 'liveness probe' });
  });

  it('prefers a Service with a ClusterIP to a headless one, and leaves out what it does not create, said so', () => {
    const read = files({ a: `${deployment('db')}---\n${service('db-headless', 'db', 'clusterIP: None')}---\n${service('db', 'db')}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: reader }
rules: []
` });
    const input = auditInput(['a'], {}, read);
    expect(input.target.service.metadata?.name).toBe('db');
    expect(input.notes).toContain('left out ClusterRole/reader: the audit creates only namespaced objects a workload needs '
      + '(ConfigMap, Secret, ServiceAccount, Service, PodDisruptionBudget, HorizontalPodAutoscaler, PersistentVolumeClaim)');
  });

  it('takes a List as its items', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: StatefulSet\n    metadata: { name: db }\n` +
      '    spec: { selector: { matchLabels: { a: b } }, template: { metadata: { labels: { a: b } }, spec: { containers: [{ name: c, image: i, ports: [{ containerPort: 5432 }] }] } } }\n';
    expect(auditInput(['l'], { podSecurity: 'baseline' }, files({ l: list })).workload).toMatchObject({ kind: 'StatefulSet', name: 'db' });
  });

  describe('refuses in one sentence what it cannot use', () => {
    it.each([
      ['no file', [], {}, 'no manifest given: name the workload\'s YAML with -f FILE (repeatable; "-f -" is not supported)'],
      ['an unreadable file', ['missing.yaml'], {}, 'cannot read missing.yaml: ENOENT'],
      ['no workload', ['svc.yaml'], {}, 'no Deployment or StatefulSet (apps/v1) in the input (found Service): the audit runs one workload'],
      ['two workloads', ['two.yaml'], {}, 'the input has 2 workloads (Deployment/a, Deployment/b): name the one to audit with --workload NAME'],
      ['an unknown --workload', ['two.yaml'], { workload: 'c' }, '--workload c: no such Deployment or StatefulSet; the input has Deployment/a, Deployment/b'],
      ['a Service that selects nothing', ['stray.yaml'], {}, 'Service/stray selects nothing: its selector {"app":"gone"} matches no pod template in the input'],
      ['no port to reach', ['portless.yaml'], {}, 'Deployment/web declares no container port and no Service selects it: add a containerPort (or a Service) so the audit knows where the app serves HTTP'],
      ['bad YAML', ['bad.yaml'], {}, 'bad.yaml is not valid YAML (document 1): Flow map in block collection must be sufficiently indented and end with a } at line 1, column 7:'],
      ['a document that is no object', ['plain.yaml'], {}, 'plain.yaml document 1 is not a Kubernetes object (no apiVersion or kind)'],
    ])('%s', (_, names, options, message) => {
      const read = files({
        'svc.yaml': service('web', 'web'),
        'two.yaml': `${deployment('a')}---\n${deployment('b')}`,
        'stray.yaml': `${deployment('web')}---\n${service('stray', 'gone')}`,
        'portless.yaml': deployment('web').replace('\n          ports: [{ name: http, containerPort: 8080 }]', ''),
        'bad.yaml': 'a: { b',
        'plain.yaml': 'just: a map\n',
      });
      expect(fails(() => auditInput(names as string[], options, read))).toBe(message);
    });

    it('picks the named one of two workloads, leaving the other out, said so', () => {
      const input = auditInput(['two.yaml'], { workload: 'b' }, files({ 'two.yaml': `${deployment('a')}---\n${deployment('b')}` }));
      expect(input.workload.name).toBe('b');
      expect(input.notes).toContain('left out Deployment/a: the audit runs one workload');
    });
  });

  it('reads label selectors as the API does, an empty one selecting nothing here', () => {
    expect(selects({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['x', 'y'] }] }, { a: '1', b: 'y' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, { b: 'y' })).toBe(false);
    expect(selects({}, { a: '1' })).toBe(false);
    expect(readObjects(['e'], files({ e: '---\n---\n' }))).toEqual([]);
  });
});

describe('what a chart ships with its workload', () => {
  const serviceAccount = (name: string) => `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: ${name}, namespace: shop }\n`;
  const secret = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name} }\nstringData: { k: v }\n`;
  const withRefs = deployment('web').replace('      containers:\n', `      serviceAccountName: web-sa
      containers:\n`).replace('ports: [{ name: http, containerPort: 8080 }]', `ports: [{ name: http, containerPort: 8080 }]
          envFrom: [{ secretRef: { name: web-env } }, { configMapRef: { name: maybe, optional: true } }]`);

  it('must create the ServiceAccount and Secrets the workload names (helm create ships one), before the workload', () => {
    const input = auditInput(['c'], {}, files({ c: `${serviceAccount('web-sa')}---\n${secret('web-env')}---\n${withRefs}---\n${service('web', 'web')}` }));
    expect(input.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['ServiceAccount/web-sa', 'Secret/web-env', 'Service/web', 'Deployment/web']);
    expect(input.objects[0]!.metadata?.namespace).toBeUndefined();
  });

  it('must refuse, before any cluster, a workload naming an object the input does not hold, naming it and where', () => {
    expect(fails(() => auditInput(['c'], {}, files({ c: `${withRefs}---\n${service('web', 'web')}` }))))
      .toBe('Deployment/web names ServiceAccount/web-sa (serviceAccountName), Secret/web-env (envFrom of container app), which the input does not hold: ' +
        'the audit runs in a namespace of its own, so add the file that has it with another -f');
    const pull = deployment('web').replace('      containers:\n', '      imagePullSecrets: [{ name: regcred }]\n      containers:\n');
    expect(fails(() => auditInput(['c'], {}, files({ c: pull })))).toMatch(/names Secret\/regcred \(imagePullSecrets\).*--load-image the image/);
  });

  it('must refuse, before any cluster, a template Pod Security "restricted" would refuse, naming why and --pod-security baseline', () => {
    const root = deployment('web').replace(/ {6}securityContext: .*\n/, '');
    expect(fails(() => auditInput(['c'], {}, files({ c: root })))).toBe('Deployment/web would be refused by Pod Security "restricted", which the audit\'s namespace ' +
      'enforces (container app: runAsNonRoot must be true (pod or container securityContext); container app: seccompProfile.type must be RuntimeDefault or ' +
      'Localhost (pod or container)): fix its securityContext, or audit it under baseline with --pod-security baseline');
    expect(auditInput(['c'], { podSecurity: 'baseline' }, files({ c: root })).workload.name).toBe('web');
  });
});

describe('the Services the audit creates', () => {
  it('must be ClusterIP only: no cloud load balancer, no fixed nodePort, no external address, each said', () => {
    const lb = `apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: LoadBalancer
  externalIPs: [203.0.113.7]
  externalTrafficPolicy: Local
  selector: { app: web }
  ports: [{ port: 80, targetPort: http, nodePort: 30080 }]
`;
    const input = auditInput(['s'], {}, files({ s: `${deployment('web')}---\n${lb}` }));
    const created = input.objects.find((o) => o.kind === 'Service') as { spec: Record<string, unknown> };
    expect(created.spec).toEqual({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    expect(input.notes).toContain('Service/web made ClusterIP in the audit\'s namespace (dropped: type LoadBalancer, externalIPs, externalTrafficPolicy, nodePort 30080): the load comes from inside the cluster');
    // A plain ClusterIP Service is created as written, said nowhere.
    expect(auditInput(['s'], {}, files({ s: `${deployment('web')}---\n${service('web', 'web')}` })).notes.join()).not.toContain('made ClusterIP');
  });
});
