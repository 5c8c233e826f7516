import { PolicyV1Api } from '@kubernetes/client-node';
import type {
  CoreV1Event, V1Deployment, V1PodDisruptionBudget, V1EndpointSlice, V1Namespace, V1Node, V1PersistentVolumeClaim, V1Pod, V1Service, V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import type { ListResult, WaitSource } from './wait.ts';

/** Narrowing of a list/watch: by name, and/or by label selector. */
export interface Selection {
  name?: string;
  labelSelector?: string;
}

type Query = { labelSelector?: string; fieldSelector?: string };

function selectors(selection: Selection): Query {
  return {
    ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
    ...(selection.name ? { fieldSelector: `metadata.name=${selection.name}` } : {}),
  };
}

/** One resource's list call and watch path, narrowed the same way for both. */
function source<T>(kube: Kube, kind: string, watchPath: string, query: Query,
  list: (query: Query) => Promise<ListResult<T>>): WaitSource<T> {
  return { kind, watch: kube.watch, watchPath, watchQuery: query, list: () => list(query) };
}

export const pods = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Pod> =>
  source(kube, 'Pod', `/api/v1/namespaces/${namespace}/pods`, selectors(selection),
    (q) => kube.core.listNamespacedPod({ namespace, ...q }));

export const services = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Service> =>
  source(kube, 'Service', `/api/v1/namespaces/${namespace}/services`, selectors(selection),
    (q) => kube.core.listNamespacedService({ namespace, ...q }));

/** Every namespace's Services (who holds a NodePort is a cluster-wide question). */
export const allServices = (kube: Kube, selection: Selection = {}): WaitSource<V1Service> =>
  source(kube, 'Service', '/api/v1/services', selectors(selection),
    (query) => kube.core.listServiceForAllNamespaces(query));

/** The EndpointSlices of one Service (a Service may have several). */
export const endpointSlices = (kube: Kube, namespace: string, service: string): WaitSource<V1EndpointSlice> =>
  source(kube, 'EndpointSlice', `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    { labelSelector: `kubernetes.io/service-name=${service}` },
    (q) => kube.discovery.listNamespacedEndpointSlice({ namespace, ...q }));

export const persistentVolumeClaims = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1PersistentVolumeClaim> =>
  source(kube, 'PersistentVolumeClaim', `/api/v1/namespaces/${namespace}/persistentvolumeclaims`, selectors(selection),
    (q) => kube.core.listNamespacedPersistentVolumeClaim({ namespace, ...q }));

export const deployments = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1Deployment> =>
  source(kube, 'Deployment', `/apis/apps/v1/namespaces/${namespace}/deployments`, selectors(selection),
    (q) => kube.apps.listNamespacedDeployment({ namespace, ...q }));

export const statefulSets = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1StatefulSet> =>
  source(kube, 'StatefulSet', `/apis/apps/v1/namespaces/${namespace}/statefulsets`, selectors(selection),
    (q) => kube.apps.listNamespacedStatefulSet({ namespace, ...q }));

export const disruptionBudgets = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1PodDisruptionBudget> =>
  source(kube, 'PodDisruptionBudget', `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`, selectors(selection),
    (q) => kube.kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace, ...q }));

export const serviceAccounts = (kube: Kube, namespace: string, selection: Selection = {}): WaitSource<V1ServiceAccount> =>
  source(kube, 'ServiceAccount', `/api/v1/namespaces/${namespace}/serviceaccounts`, selectors(selection),
    (q) => kube.core.listNamespacedServiceAccount({ namespace, ...q }));

export const nodes = (kube: Kube, selection: Selection = {}): WaitSource<V1Node> =>
  source(kube, 'Node', '/api/v1/nodes', selectors(selection), (q) => kube.core.listNode(q));

export const namespaces = (kube: Kube, selection: Selection = {}): WaitSource<V1Namespace> =>
  source(kube, 'Namespace', '/api/v1/namespaces', selectors(selection), (q) => kube.core.listNamespace(q));

/** What an event is about: its involved object's kind and/or name. */
export interface Involved {
  kind?: string;
  name?: string;
}

/** The core/v1 events of a namespace (the kubelet records probe failures, kills and pulls there). */
export const events = (kube: Kube, namespace: string, about: Involved = {}): WaitSource<CoreV1Event> => {
  const fields = [about.kind && `involvedObject.kind=${about.kind}`, about.name && `involvedObject.name=${about.name}`].filter(Boolean);
  return source(kube, 'Event', `/api/v1/namespaces/${namespace}/events`, fields.length ? { fieldSelector: fields.join(',') } : {},
    (q) => kube.core.listNamespacedEvent({ namespace, ...q }));
};
