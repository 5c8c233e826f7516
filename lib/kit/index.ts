// The one entry a behaviour test imports. Everything a test needs to apply workloads, wait on named
// conditions, read what the platform did and record it lives behind this file; setup-side code (config,
// cluster lifecycle, kind, offline artefacts, sweeper) does not, and tests never import it.
export * from '../conditions.ts';
export * from '../wait.ts';
export * from '../sources.ts';
export * from '../report.ts';
export * from '../exec.ts';
export * from '../fixture.ts';
export { retrying } from '../kube.ts';
export type { Kube } from '../kube.ts';
export * from '../drivers/answers.ts';
export * from '../drivers/dns.ts';
export * from '../drivers/endpoints.ts';
export * from '../drivers/in-cluster-client.ts';
export * from '../drivers/nslookup.ts';
export * from '../drivers/place.ts';
export * from '../drivers/pod-events.ts';
export * from '../drivers/pod-files.ts';
export * from '../drivers/pod-replacement.ts';
export * from '../drivers/pods.ts';
export * from '../drivers/poll.ts';
export * from '../drivers/probe-events.ts';
export * from '../drivers/probe-window.ts';
export * from '../drivers/service-endpoints.ts';
export * from '../drivers/service-traffic.ts';
export * from '../drivers/statefulsets.ts';
export * from '../drivers/termination.ts';
export * from '../drivers/volumes.ts';
export * from './consistently.ts';
export * from './quantities.ts';
export * from './node-resources.ts';
export * from './unschedulable.ts';
export * from './cpu-usage.ts';
export * from './container-limits.ts';
export * from './oom-score.ts';
export * from './qos-evidence.ts';
export * from './metrics-server.ts';
export * from './autoscaling.ts';
