// What the audit is given: plain multi-document YAML (what `helm template` or `kustomize build` prints), read into the
// one workload to audit and what belongs to it: the Service(s) that select its pods, its PodDisruptionBudget, its
// HorizontalPodAutoscaler, and the namespaced objects it may need (ConfigMaps, Secrets, ServiceAccounts). Pure: the
// files are read here, nothing reaches a cluster. Every mistake is one sentence (AuditInputError, exit 2).
import { readFileSync } from 'node:fs';
import type { KubernetesObject, V1Container, V1LabelSelector, V1PodTemplateSpec } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { restrictedViolations } from '../kit/pod-security.ts';

export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

export type WorkloadKind = 'Deployment' | 'StatefulSet';

export interface AuditWorkload {
  kind: WorkloadKind;
  name: string;
  object: KubernetesObject & { spec: { replicas?: number; selector: V1LabelSelector; template: V1PodTemplateSpec } };
}

export interface AuditTarget {
  /** The Service the load is sent through (the user's, else one the audit makes: `created`). */
  service: KubernetesObject & { spec: { selector?: Record<string, string>; ports?: { name?: string; port: number; targetPort?: number | string }[] } };
  created: boolean;
  /** The Service port the load requests. */
  port: number;
  /** The path the load requests (GET), and where that came from. */
  path: string;
  pathFrom: 'option' | 'liveness probe' | 'default';
}

export interface AuditInput {
  files: string[];
  workload: AuditWorkload;
  target: AuditTarget;
  budget?: KubernetesObject;
  autoscaler?: KubernetesObject;
  /** Everything to create, in order (the workload last), namespace fields removed. */
  objects: KubernetesObject[];
  /** Said in the report: what was left out and why, what was made. */
  notes: string[];
}

export interface AuditInputOptions {
  workload?: string;
  path?: string;
  /** The audit namespace's Pod Security level: a template it would refuse is refused here first (restricted unless asked). */
  podSecurity?: 'restricted' | 'baseline';
}

/** What `audit` was asked, as the CLI hands it to the audit's Jest file (WC_AUDIT). */
export interface AuditOptions extends AuditInputOptions {
  /** Absolute paths of the -f files. */
  files: string[];
  /** Requests per second per connection mode under load (`--rate`); AUDIT_RATE unless said. */
  rate?: number;
  /** Drain one of the workload's nodes under load on an existing cluster too (`--drain-node`). */
  drainNode?: boolean;
}

/**
 * The kinds created with the workload: namespaced objects it commonly needs that the suite's account may create
 * (docs/rbac.yaml: Secrets and ServiceAccounts create-only, confined like every write to the suite's namespaces).
 * Others are left out, each said so: RBAC objects (the account may bind nothing), NetworkPolicies (they could shut out
 * the load), anything cluster-scoped.
 */
const COMPANIONS = new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'PersistentVolumeClaim']);
const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet'];

const describe = (o: KubernetesObject): string => `${o.kind}/${o.metadata?.name ?? '?'}`;

/** Reads and parses every file; a `List` (what `kubectl get -o yaml` prints) gives its items. */
export function readObjects(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): KubernetesObject[] {
  if (files.length === 0) throw new AuditInputError('no manifest given: name the workload\'s YAML with -f FILE (repeatable; "-f -" is not supported)');
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch (err) {
      throw new AuditInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const [i, doc] of parseAllDocuments(text).entries()) {
      if (doc.errors.length) throw new AuditInputError(`${file} is not valid YAML (document ${i + 1}): ${doc.errors[0]!.message.split('\n')[0]}`);
      const value = doc.toJS() as (KubernetesObject & { items?: KubernetesObject[] }) | null;
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || !value.kind || !value.apiVersion) {
        throw new AuditInputError(`${file} document ${i + 1} is not a Kubernetes object (no apiVersion or kind)`);
      }
      objects.push(...(value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value]));
    }
  }
  return objects;
}

/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
export function selects(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]!);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]!);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
  const empty = !selector.matchLabels && !selector.matchExpressions?.length;
  return !empty && byLabels && byExpressions;
}

/** A Service's selector (a plain map) selects the labels: every key equal; an empty selector selects nothing here. */
function serviceSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function pickWorkload(objects: readonly KubernetesObject[], wanted: string | undefined): AuditWorkload {
  const workloads = objects.filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind!) && o.apiVersion === 'apps/v1') as AuditWorkload['object'][];
  if (workloads.length === 0) {
    const kinds = [...new Set(objects.map((o) => o.kind))].join(', ') || 'nothing';
    throw new AuditInputError(`no Deployment or StatefulSet (apps/v1) in the input (found ${kinds}): the audit runs one workload`);
  }
  const chosen = wanted === undefined ? workloads : workloads.filter((w) => w.metadata?.name === wanted);
  if (wanted !== undefined && chosen.length === 0) {
    throw new AuditInputError(`--workload ${wanted}: no such Deployment or StatefulSet; the input has ${workloads.map(describe).join(', ')}`);
  }
  if (chosen.length > 1) {
    throw new AuditInputError(`the input has ${chosen.length} workloads (${chosen.map(describe).join(', ')}): name the one to audit with --workload NAME`);
  }
  const object = chosen[0]!;
  const name = object.metadata?.name;
  if (!name) throw new AuditInputError(`a ${object.kind} in the input has no metadata.name`);
  if (!object.spec?.template?.spec?.containers?.length) throw new AuditInputError(`${describe(object)} has no containers in spec.template.spec`);
  if (!selects(object.spec.selector, object.spec.template.metadata?.labels ?? {})) {
    throw new AuditInputError(`${describe(object)}: spec.selector does not select its own pod template's labels (the API would refuse it)`);
  }
  return { kind: object.kind as WorkloadKind, name, object };
}

/** The container port the load should reach: the first container's first TCP port. */
function servingPort(containers: readonly V1Container[]): { name?: string; port: number } | undefined {
  for (const c of containers) {
    const p = (c.ports ?? []).find((port) => (port.protocol ?? 'TCP') === 'TCP');
    if (p) return { ...(p.name ? { name: p.name } : {}), port: p.containerPort };
  }
  return undefined;
}

/** A port as a probe or a Service's targetPort names it (a number, or a container port's name) as a number. */
function containerPortNumber(containers: readonly V1Container[], port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port)?.containerPort;
}

/**
 * The load's path: the option, else the first container's HTTP liveness probe path, else "/". Not the readiness probe's:
 * a draining pod fails it on purpose (that is what takes it out of the Service), so requests to it would count the
 * drain itself as lost; the liveness path must keep answering while the pod drains, or the kubelet kills it. Only a
 * probe on the port the Service sends to: one on another port (an admin port) has a path the served port may not
 * know, and every request would be a 404.
 */
function loadPath(containers: readonly V1Container[], option: string | undefined, servedPort: number | undefined):
  Pick<AuditTarget, 'path' | 'pathFrom'> & { note?: string } {
  if (option !== undefined) {
    if (!option.startsWith('/')) throw new AuditInputError(`--path must start with "/", got "${option}"`);
    return { path: option, pathFrom: 'option' };
  }
  // Each container's own named ports first: a probe's port name is its container's.
  const probes = containers.flatMap((c) => {
    const get = c.livenessProbe?.httpGet;
    return get ? [{ path: get.path || '/', port: containerPortNumber([c, ...containers], get.port), named: get.port }] : [];
  });
  if (!probes.length) return { path: '/', pathFrom: 'default', note: 'load path / (no --path, no HTTP liveness probe)' };
  const onServed = probes.find((p) => p.port !== undefined && p.port === servedPort);
  if (!onServed) {
    const probe = probes[0]!;
    return { path: '/', pathFrom: 'default', note: `load path / (the liveness probe's ${probe.path} is on port ${probe.port ?? probe.named}, ` +
      `not ${servedPort ?? 'the port the Service sends to'}; --path names one the served port answers)` };
  }
  return { path: onServed.path, pathFrom: 'liveness probe', note: `load path ${onServed.path} (the liveness probe's)` };
}

type PodSpec = NonNullable<V1PodTemplateSpec['spec']>;

/**
 * The namespaced objects the pod template names and cannot run without, as "Kind/name (where)": a ServiceAccount
 * other than the namespace's default, Secrets and ConfigMaps it mounts or reads (unless marked optional), image pull
 * Secrets, claims. A StatefulSet's volumeClaimTemplates are made by its controller, not named here.
 */
export function namedObjects(pod: PodSpec): Array<{ kind: string; name: string; where: string }> {
  const out: Array<{ kind: string; name: string; where: string }> = [];
  const add = (kind: string, name: string | undefined, where: string, optional?: boolean): void => {
    if (name && !optional) out.push({ kind, name, where });
  };
  if (pod.serviceAccountName && pod.serviceAccountName !== 'default') add('ServiceAccount', pod.serviceAccountName, 'serviceAccountName');
  for (const s of pod.imagePullSecrets ?? []) add('Secret', s.name, 'imagePullSecrets');
  for (const v of pod.volumes ?? []) {
    add('Secret', v.secret?.secretName, `volume ${v.name}`, v.secret?.optional);
    add('ConfigMap', v.configMap?.name, `volume ${v.name}`, v.configMap?.optional);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName, `volume ${v.name}`);
    for (const source of v.projected?.sources ?? []) {
      add('Secret', source.secret?.name, `volume ${v.name}`, source.secret?.optional);
      add('ConfigMap', source.configMap?.name, `volume ${v.name}`, source.configMap?.optional);
    }
  }
  for (const c of [...pod.initContainers ?? [], ...pod.containers]) {
    for (const from of c.envFrom ?? []) {
      add('Secret', from.secretRef?.name, `envFrom of container ${c.name}`, from.secretRef?.optional);
      add('ConfigMap', from.configMapRef?.name, `envFrom of container ${c.name}`, from.configMapRef?.optional);
    }
    for (const e of c.env ?? []) {
      add('Secret', e.valueFrom?.secretKeyRef?.name, `env ${e.name} of container ${c.name}`, e.valueFrom?.secretKeyRef?.optional);
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, `env ${e.name} of container ${c.name}`, e.valueFrom?.configMapKeyRef?.optional);
    }
  }
  return out;
}

/** Reads the files and finds the workload and what belongs to it. Throws AuditInputError (one sentence) on input it cannot use. */
export function auditInput(files: readonly string[], options: AuditInputOptions = {}, read?: (file: string) => string): AuditInput {
  return auditInputOf(readObjects(files, read), files, options);
}

/** The same from objects already parsed (`files` only names where they came from). */
export function auditInputOf(all: readonly KubernetesObject[], files: readonly string[], options: AuditInputOptions = {}): AuditInput {
  const workload = pickWorkload(all, options.workload);
  const template = workload.object.spec.template;
  // Refused before any cluster: a pod the controller could never create (its namespace's Pod Security refuses it, or an
  // object it names is missing) would end every check as "could not complete", the reason quoted nowhere.
  if ((options.podSecurity ?? 'restricted') === 'restricted') {
    const violations = restrictedViolations(workload.object, { readOnlyRoot: false });
    if (violations.length) {
      throw new AuditInputError(`${describe(workload.object)} would be refused by Pod Security "restricted", which the audit's namespace enforces ` +
        `(${violations.map((v) => v.slice(v.indexOf(': ') + 2)).join('; ')}): fix its securityContext, or audit it under baseline with --pod-security baseline`);
    }
  }
  const shipped = new Set(all.map((o) => `${o.kind}/${o.metadata?.name}`));
  const missing = namedObjects(template.spec!).filter((r) => !shipped.has(`${r.kind}/${r.name}`));
  if (missing.length) {
    throw new AuditInputError(`${describe(workload.object)} names ${missing.map((r) => `${r.kind}/${r.name} (${r.where})`).join(', ')}, ` +
      'which the input does not hold: the audit runs in a namespace of its own, so add the file that has it with another -f' +
      (missing.some((r) => r.where === 'imagePullSecrets') ? ' (a pull Secret for a private registry is yours to add; or --load-image the image into the audit\'s kind cluster and drop imagePullSecrets)' : ''));
  }
  const labels = template.metadata?.labels ?? {};
  const containers = template.spec!.containers;
  const notes: string[] = [];

  const services = all.filter((o) => o.kind === 'Service') as AuditTarget['service'][];
  for (const s of services) {
    const selector = s.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue; // headless or external: no pods to check
    const matchesSome = all.some((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind!) &&
      serviceSelects(selector, (o as AuditWorkload['object']).spec?.template?.metadata?.labels ?? {}));
    if (!matchesSome) {
      throw new AuditInputError(`${describe(s)} selects nothing: its selector ${JSON.stringify(selector)} matches no pod template in the input`);
    }
  }
  const own = services.filter((s) => serviceSelects(s.spec?.selector, labels) && (s.spec?.ports?.length ?? 0) > 0);
  // A headless Service (clusterIP None) has no ClusterIP for the load to cross kube-proxy through: prefer one with.
  const chosen = own.find((s) => (s.spec as { clusterIP?: string }).clusterIP !== 'None') ?? own[0];
  let target: AuditTarget;
  const served = chosen ? chosen.spec.ports![0]! : undefined;
  const { note: pathNote, ...path } = loadPath(containers, options.path,
    served ? containerPortNumber(containers, served.targetPort ?? served.port) : servingPort(containers)?.port);
  if (chosen) {
    target = { service: chosen, created: false, port: served!.port, ...path };
  } else {
    const port = servingPort(containers);
    if (!port) {
      throw new AuditInputError(`${describe(workload.object)} declares no container port and no Service selects it: ` +
        'add a containerPort (or a Service) so the audit knows where the app serves HTTP');
    }
    const service = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: `${workload.name}-audit`.slice(0, 63) },
      spec: { type: 'ClusterIP', selector: serviceSelector(workload), ports: [{ name: 'http', port: port.port, targetPort: port.name ?? port.port }] },
    };
    target = { service, created: true, port: port.port, ...path };
    notes.push(`no Service selects ${describe(workload.object)}: made ClusterIP Service/${service.metadata.name} for container port ${port.port}`);
  }
  if (pathNote) notes.push(pathNote);

  const budget = all.find((o) => o.kind === 'PodDisruptionBudget' && selects((o as { spec?: { selector?: V1LabelSelector } }).spec?.selector, labels));
  const autoscaler = all.find((o) => o.kind === 'HorizontalPodAutoscaler' &&
    (o as { spec?: { scaleTargetRef?: { kind?: string; name?: string } } }).spec?.scaleTargetRef?.kind === workload.kind &&
    (o as { spec?: { scaleTargetRef?: { name?: string } } }).spec?.scaleTargetRef?.name === workload.name);

  const objects: KubernetesObject[] = [];
  for (const o of all) {
    if (o === workload.object || (WORKLOAD_KINDS as readonly string[]).includes(o.kind!)) {
      if (o !== workload.object) notes.push(`left out ${describe(o)}: the audit runs one workload`);
      continue;
    }
    if (!COMPANIONS.has(o.kind!)) {
      notes.push(`left out ${describe(o)}: the audit creates only namespaced objects a workload needs (${[...COMPANIONS].join(', ')})`);
      continue;
    }
    if (o.kind === 'Service' && !own.includes(o as AuditTarget['service'])) {
      notes.push(`left out ${describe(o)}: it selects another workload`);
      continue;
    }
    objects.push(o.kind === 'Service' ? clusterIpOnly(withoutNamespace(o), notes) : withoutNamespace(o));
  }
  if (target.created) objects.push(target.service);
  objects.push(withoutNamespace(workload.object));
  return { files: [...files], workload, target, ...(budget ? { budget } : {}), ...(autoscaler ? { autoscaler } : {}), objects, notes };
}

/** The Service selector for a workload: its selector's matchLabels (what selects its pods), else its template labels. */
function serviceSelector(workload: AuditWorkload): Record<string, string> {
  const match = workload.object.spec.selector.matchLabels;
  return match && Object.keys(match).length ? { ...match } : { ...workload.object.spec.template.metadata?.labels };
}

/**
 * A Service as the audit creates it: always ClusterIP, reached from inside the cluster only. A LoadBalancer would ask
 * the cloud for a real load balancer, a fixed nodePort could clash with one in use on the cluster, externalIPs would
 * take traffic for addresses outside it: each is dropped, and said.
 */
export function clusterIpOnly(service: KubernetesObject, notes: string[]): KubernetesObject {
  const spec = { ...(service as { spec?: Record<string, unknown> }).spec };
  const dropped: string[] = [];
  if (spec.type && spec.type !== 'ClusterIP') dropped.push(`type ${String(spec.type)}`);
  for (const field of ['externalIPs', 'loadBalancerIP', 'loadBalancerSourceRanges', 'loadBalancerClass', 'externalTrafficPolicy', 'healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'externalName']) {
    if (spec[field] !== undefined) {
      dropped.push(field);
      delete spec[field];
    }
  }
  const ports = (spec.ports as Array<Record<string, unknown>> | undefined)?.map((p) => {
    if (p.nodePort === undefined) return p;
    dropped.push(`nodePort ${String(p.nodePort)}`);
    const { nodePort: _dropped, ...rest } = p;
    return rest;
  });
  if (!dropped.length) return service;
  notes.push(`${describe(service)} made ClusterIP in the audit's namespace (dropped: ${dropped.join(', ')}): the load comes from inside the cluster`);
  return { ...service, spec: { ...spec, type: 'ClusterIP', ...(ports ? { ports } : {}) } } as KubernetesObject;
}

/** The object as it will be created in the audit's namespace: its own namespace field dropped. */
function withoutNamespace(o: KubernetesObject): KubernetesObject {
  const { namespace: _dropped, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}
