// The one entry a behaviour test imports. Everything a test needs to apply workloads, wait on named
// conditions, check that something stays so, read what the platform did and record it lives behind this
// file; setup-side code (lib/run/: config, cluster lifecycle, kind, offline artefacts, sweeper) does not,
// and tests never import it (eslint.config.js enforces both). Grouped as docs/ARCHITECTURE.md lays out.

// The test file's namespace, manifests applied into it, what the run hands to it.
export * from './fixture.ts';
export { loadManifest } from './manifests.ts';
export type { Kube, Place } from './kube.ts';
export { retrying } from './kube.ts';
export type { RunContext, WorkloadImages } from './run-context.ts';
export { currentRun } from './run-context.ts';

// Waiting: the one wait primitive, its named conditions, the list + watch per resource, "stays so",
// polling for what cannot be watched, and every deadline by name.
export * from './wait.ts';
export * from './conditions.ts';
export * from './sources.ts';
export * from './consistently.ts';
export * from './poll.ts';
export * from './timeouts.ts';

// By resource.
export * from './pods.ts';
export * from './containers.ts';
export * from './events.ts';
export * from './services.ts';
export * from './workloads.ts';
export * from './volumes.ts';
export * from './dns.ts';
export * from './node-ports.ts';

// Inside the cluster: commands in a container, a client pod that asks DNS and Services.
export * from './exec.ts';
export * from './client.ts';

// Recording what was seen (summary.json) and, for the harness's own tests, a namespace's diagnostics.
export * from './report.ts';
export { dumpNamespace } from './diagnostics.ts';

// A pod's life (init containers, termination, replicas): written for the pod-life behaviours.
export * from './background-case.ts';
export * from './container-log.ts';
export * from './init-containers.ts';
export * from './lifecycle-marks.ts';
export * from './clock.ts';
export * from './pod-exit.ts';
export * from './replicasets.ts';
export * from './watch-first.ts';

// StatefulSets: creation/removal order from a pod timeline, revisions and partitions, a readiness gate.
export * from './pod-timeline.ts';
export * from './readiness-gate.ts';
export * from './statefulset-order.ts';
export * from './statefulset-updates.ts';

// Resources and scheduling: quantities, node allocatable, Unschedulable, CPU accounting, cgroup limits,
// oom_score_adj and QoS evidence, the metrics API and HPAs.
export * from './quantities.ts';
export * from './node-resources.ts';
export * from './unschedulable.ts';
export * from './cpu-usage.ts';
export * from './container-limits.ts';
export * from './oom-score.ts';
export * from './qos-evidence.ts';
export * from './metrics-api.ts';
export * from './pod-usage.ts';
export * from './autoscaling.ts';
export * from './cordon.ts';
export * from './node-level.ts';
export * from './evictions.ts';
export * from './nodes.ts';

// Nodes: losing one (its container stopped and started on this machine's Docker engine) and what the API shows.
export * from './node-containers.ts';
export * from './node-loss.ts';
