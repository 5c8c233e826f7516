// Turns a WorkloadSpec into the variables of manifests/rollout-workload.yaml, and into the patch that
// moves the Deployment from one version to the next.
import { NODE_PORT } from './constants.ts';
import { VERSION_LABEL, type VersionSpec, type WorkloadSpec } from './spec.ts';

function envList(version: VersionSpec): { name: string; value: string }[] {
  return Object.entries({ ...version.env, WC_VERSION: version.name }).map(([name, value]) => ({ name, value }));
}

/**
 * Placeholders for the manifest. Lists go in as JSON, which is valid YAML flow syntax. `nodePort` 0 lets the API
 * allocate the Service's NodePort (node-port.ts says when).
 */
export function manifestVars(spec: WorkloadSpec, nodePort: number = NODE_PORT): Record<string, string> {
  return {
    NAME: spec.name,
    IMAGE: spec.from.image ?? spec.image,
    ARGS_JSON: JSON.stringify(spec.args),
    ENV_JSON: JSON.stringify(envList(spec.from)),
    PORT: String(spec.port),
    READINESS_PATH: spec.readinessPath,
    REPLICAS: String(spec.replicas),
    GRACE_SECONDS: String(spec.terminationGracePeriodSeconds),
    LIFECYCLE_JSON: JSON.stringify(spec.preStopSleepSeconds ? { preStop: { sleep: { seconds: spec.preStopSleepSeconds } } } : {}),
    VERSION: spec.from.name,
    // ScheduleAnyway: a drain cordons a node, which the skew still counts; DoNotSchedule would leave replacements Pending.
    SPREAD_JSON: JSON.stringify(spec.spreadOverNodes ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': spec.name } } }] : []),
    NODE_PORT: String(nodePort),
  };
}

/** JSON Patch (the API client's default patch type) changing version label, env and image. */
export function versionPatch(spec: WorkloadSpec): object[] {
  const label = VERSION_LABEL.replaceAll('~', '~0').replaceAll('/', '~1');
  return [
    { op: 'replace', path: `/spec/template/metadata/labels/${label}`, value: spec.to.name },
    { op: 'replace', path: '/spec/template/spec/containers/0/env', value: envList(spec.to) },
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: spec.to.image ?? spec.image },
  ];
}
