import { hostname } from 'node:os';
import type { V1Namespace } from '@kubernetes/client-node';
import { gone, present } from './conditions.ts';
import type { Kube } from './kube.ts';
import { isNotFound, retrying } from './kube.ts';
import { BEHAVIOUR_LABEL, OWNER_HOST_ANNOTATION, OWNER_PID_ANNOTATION, runLabels, runSelector } from './labels.ts';
import type { PodSecurityLevel } from './pod-security.ts';
import { podSecurityLabels } from './pod-security.ts';
import { namespaces, serviceAccounts } from './sources.ts';
import { waitFor } from './wait.ts';

export interface NamespaceOwner {
  host: string;
  pid: number;
}

export function thisProcessOwner(): NamespaceOwner {
  return { host: hostname(), pid: process.pid };
}

/** `wc-<behaviour>-<runId>`, cut to the 63 characters a namespace name may have. */
export function namespaceName(behaviour: string, runId: string): string {
  const slug = behaviour.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const room = 63 - 'wc-'.length - 1 - runId.length;
  return `wc-${slug.slice(0, room).replace(/-+$/, '')}-${runId}`;
}

/**
 * The namespace enforces Pod Security `restricted` (and warns and audits it): every workload the suite
 * runs must be admitted on a cluster whose platform team enforces it. A behaviour that cannot be shown
 * under restricted passes a lower level, and says why where it does.
 */
export function namespaceObject(name: string, behaviour: string, runId: string, owner: NamespaceOwner,
  podSecurity: PodSecurityLevel = 'restricted'): V1Namespace {
  return {
    metadata: {
      name,
      labels: { ...runLabels(runId), [BEHAVIOUR_LABEL]: behaviour.slice(0, 63), ...podSecurityLabels(podSecurity) },
      annotations: { [OWNER_HOST_ANNOTATION]: owner.host, [OWNER_PID_ANNOTATION]: String(owner.pid) },
    },
  };
}

export async function createNamespace(kube: Kube, behaviour: string, runId: string, owner: NamespaceOwner,
  podSecurity: PodSecurityLevel = 'restricted'): Promise<string> {
  const name = namespaceName(behaviour, runId);
  const body = namespaceObject(name, behaviour, runId, owner, podSecurity);
  await retrying(`creating namespace ${name}`, () => kube.core.createNamespace({ body }));
  // Pods are refused until the controller manager has given the namespace its default ServiceAccount.
  await waitFor({
    description: `the default ServiceAccount of namespace ${name}`, ...serviceAccounts(kube, name, { name: 'default' }),
    predicate: present(), timeoutMs: 60_000,
  });
  return name;
}

/**
 * Deletes the namespaces (404 is fine) and, unless told not to wait, waits (watch-based) until the API no
 * longer lists them.
 */
export async function deleteNamespaces(kube: Kube, names: string[],
  { timeoutMs = 180_000, wait = true }: { timeoutMs?: number; wait?: boolean } = {}): Promise<void> {
  await Promise.all(names.map(async (name) => {
    try {
      await retrying(`deleting namespace ${name}`, () => kube.core.deleteNamespace({ name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!wait) return;
    await waitFor({
      description: `namespace ${name} to be deleted`, ...namespaces(kube, { name }), predicate: gone(), timeoutMs,
    });
  }));
}

export async function listRunNamespaces(kube: Kube, runId: string): Promise<string[]> {
  const list = await retrying('listing this run\'s namespaces', () => kube.core.listNamespace({ labelSelector: runSelector(runId) }));
  return list.items.map((n) => n.metadata?.name).filter((n): n is string => Boolean(n));
}
