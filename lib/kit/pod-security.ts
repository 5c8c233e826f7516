// Pod Security "restricted", checked before a manifest ever reaches a cluster. The API server's PodSecurity
// admission is the authority (every harness namespace enforces it, see namespace.ts); this check exists so a
// manifest that would be refused fails a unit test with the field to fix, instead of a cluster run with a
// bare "forbidden" (pods) or a wait timeout (controllers, whose pods are refused out of sight).
// It follows https://kubernetes.io/docs/concepts/security/pod-security-standards/ (baseline + restricted),
// plus this project's own rule of a read-only root filesystem.
import type { KubernetesObject } from '@kubernetes/client-node';

/** Namespace labels that make the API server enforce (and warn and audit) the restricted profile. */
export const POD_SECURITY_LEVEL_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  warn: 'pod-security.kubernetes.io/warn',
  audit: 'pod-security.kubernetes.io/audit',
} as const;

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export function podSecurityLabels(level: PodSecurityLevel = 'restricted'): Record<string, string> {
  return Object.fromEntries(Object.values(POD_SECURITY_LEVEL_LABELS).map((label) => [label, level]));
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
}

interface Container {
  name?: string;
  securityContext?: SecurityContext;
  ports?: Array<{ hostPort?: number }>;
}

interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext & { sysctls?: Array<{ name: string }> };
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Array<Record<string, unknown> & { name?: string }>;
}

/** Volume types the restricted profile allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** The only capability restricted lets a container add. */
const ADDABLE_CAPABILITY = 'NET_BIND_SERVICE';

const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);

/** The pod spec an object runs: a Pod's own, a controller's template, a CronJob's job template. */
export function podSpecOf(obj: KubernetesObject): PodSpec | undefined {
  const spec = (obj as { spec?: Record<string, unknown> }).spec;
  if (!spec) return undefined;
  if (obj.kind === 'Pod') return spec as PodSpec;
  const template = (spec.template as { spec?: PodSpec } | undefined)?.spec;
  if (template) return template;
  const job = (spec.jobTemplate as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template?.spec;
  return job;
}

/**
 * Every way the object's pod spec breaks the restricted profile (or this project's read-only root rule),
 * one line each naming the field; empty when it would be admitted. Objects without a pod spec pass.
 */
export function restrictedViolations(obj: KubernetesObject, { readOnlyRoot = true }: { readOnlyRoot?: boolean } = {}): string[] {
  const pod = podSpecOf(obj);
  if (!pod) return [];
  const where = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  const out: string[] = [];
  const bad = (what: string): void => {
    out.push(`${where}: ${what}`);
  };
  if (pod.hostNetwork) bad('hostNetwork must not be true');
  if (pod.hostPID) bad('hostPID must not be true');
  if (pod.hostIPC) bad('hostIPC must not be true');
  const podContext = pod.securityContext ?? {};
  for (const sysctl of podContext.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) bad(`sysctl ${sysctl.name} is not in the safe set`);
  }
  if (podContext.runAsUser === 0) bad('securityContext.runAsUser must not be 0');
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !ALLOWED_VOLUMES.has(type)) bad(`volume ${volume.name ?? '?'} is of type ${type}, which restricted forbids`);
  }
  const containers = [...pod.initContainers ?? [], ...pod.containers ?? [], ...pod.ephemeralContainers ?? []];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const name = `container ${c.name ?? '?'}`;
    if (sc.privileged) bad(`${name}: securityContext.privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) bad(`${name}: securityContext.allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) bad(`${name}: securityContext.capabilities.drop must include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== ADDABLE_CAPABILITY);
    if (added.length) bad(`${name}: securityContext.capabilities.add may hold only ${ADDABLE_CAPABILITY}, not ${added.join(', ')}`);
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true) bad(`${name}: runAsNonRoot must be true (pod or container securityContext)`);
    if (sc.runAsUser === 0) bad(`${name}: securityContext.runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') bad(`${name}: seccompProfile.type must be RuntimeDefault or Localhost (pod or container)`);
    if (sc.procMount && sc.procMount !== 'Default') bad(`${name}: procMount must be Default`);
    if (sc.windowsOptions?.hostProcess) bad(`${name}: windowsOptions.hostProcess must not be true`);
    if ((c.ports ?? []).some((p) => p.hostPort)) bad(`${name}: hostPort must not be set`);
    if (readOnlyRoot && sc.readOnlyRootFilesystem !== true) bad(`${name}: securityContext.readOnlyRootFilesystem must be true (mount an emptyDir where it writes)`);
  }
  return out;
}
