import type {
  V1Deployment, V1EndpointSlice, V1Namespace, V1Node, V1PersistentVolumeClaim, V1Pod, V1Service, V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import type { WaitSource } from './wait.ts';

/** Narrowing of a list/watch: by name, and/or by label selector. */
export interface Selection {
  name?: string;
  labelSelector?: string;
}

function selectors(selection: Selection): { labelSelector?: string; fieldSelector?: string } {
  return {
    ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
    ...(selection.name ? { fieldSelector: `metadata.name=${selection.name}` } : {}),
  };
}

export function pods(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Pod> {
  const query = selectors(selection);
  return {
    kind: 'Pod', watch: kube.watch, watchQuery: query,
    watchPath: `/api/v1/namespaces/${namespace}/pods`,
    list: () => kube.core.listNamespacedPod({ namespace, ...query }),
  };
}

export function services(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Service> {
  const query = selectors(selection);
  return {
    kind: 'Service', watch: kube.watch, watchQuery: query,
    watchPath: `/api/v1/namespaces/${namespace}/services`,
    list: () => kube.core.listNamespacedService({ namespace, ...query }),
  };
}

/** The EndpointSlices of one Service (a Service may have several). */
export function endpointSlices(kube: Kube, namespace: string, service: string): WaitSource<V1EndpointSlice> {
  const query = { labelSelector: `kubernetes.io/service-name=${service}` };
  return {
    kind: 'EndpointSlice', watch: kube.watch, watchQuery: query,
    watchPath: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    list: () => kube.discovery.listNamespacedEndpointSlice({ namespace, ...query }),
  };
}

export function persistentVolumeClaims(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1PersistentVolumeClaim> {
  const query = selectors(selection);
  return {
    kind: 'PersistentVolumeClaim', watch: kube.watch, watchQuery: query,
    watchPath: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    list: () => kube.core.listNamespacedPersistentVolumeClaim({ namespace, ...query }),
  };
}

export function deployments(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Deployment> {
  const query = selectors(selection);
  return {
    kind: 'Deployment', watch: kube.watch, watchQuery: query,
    watchPath: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    list: () => kube.apps.listNamespacedDeployment({ namespace, ...query }),
  };
}

export function statefulSets(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1StatefulSet> {
  const query = selectors(selection);
  return {
    kind: 'StatefulSet', watch: kube.watch, watchQuery: query,
    watchPath: `/apis/apps/v1/namespaces/${namespace}/statefulsets`,
    list: () => kube.apps.listNamespacedStatefulSet({ namespace, ...query }),
  };
}

export function nodes(kube: Kube, selection: Selection = {}): WaitSource<V1Node> {
  const query = selectors(selection);
  return {
    kind: 'Node', watch: kube.watch, watchQuery: query, watchPath: '/api/v1/nodes',
    list: () => kube.core.listNode(query),
  };
}

export function namespaces(kube: Kube, selection: Selection = {}): WaitSource<V1Namespace> {
  const query = selectors(selection);
  return {
    kind: 'Namespace', watch: kube.watch, watchQuery: query, watchPath: '/api/v1/namespaces',
    list: () => kube.core.listNamespace(query),
  };
}

export function serviceAccounts(kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1ServiceAccount> {
  const query = selectors(selection);
  return {
    kind: 'ServiceAccount', watch: kube.watch, watchQuery: query,
    watchPath: `/api/v1/namespaces/${namespace}/serviceaccounts`,
    list: () => kube.core.listNamespacedServiceAccount({ namespace, ...query }),
  };
}
