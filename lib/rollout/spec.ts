// What a rollout check runs: a workload (image, port, probes) and the two versions it rolls between.
// The reference workloads and "bring your own workload" both produce this shape; the driver knows no other.
import type { Identify } from './load/identify.ts';

export interface VersionSpec {
  /** Label value `workload-conformance.io/version` on the pod template; also what the app may report. */
  name: string;
  /** Image for this version (defaults to the workload's image). */
  image?: string;
  /** Extra environment for this version. `WC_VERSION=<name>` is always set. */
  env?: Record<string, string>;
}

export interface WorkloadSpec {
  name: string;
  image: string;
  /** Container args (the image's entrypoint is kept). Empty means the image's default command. */
  args: string[];
  port: number;
  readinessPath: string;
  /** Path the load requests. */
  requestPath: string;
  identify: Identify;
  replicas: number;
  terminationGracePeriodSeconds: number;
  /** A preStop sleep (Kubernetes >= 1.30 sleep action): the drain for apps that exit at once on SIGTERM. */
  preStopSleepSeconds?: number;
  from: VersionSpec;
  to: VersionSpec;
  /** Spread the replicas over the nodes (topology spread on the hostname, maxSkew 1, ScheduleAnyway). */
  spreadOverNodes?: boolean;
  /** A PodDisruptionBudget with this minAvailable covers the pods (none when unset). */
  minAvailable?: number;
}

export const VERSION_LABEL = 'workload-conformance.io/version';
export const NAME_LABEL = 'app.kubernetes.io/name';

/** A reference workload on port 8080 answering /hostname with the pod name, with a grace above its drain. */
function referenceWorkload(name: string, image: string, args: string[], drainSeconds: number): WorkloadSpec {
  return {
    name,
    image,
    args,
    port: 8080,
    readinessPath: '/readyz',
    requestPath: '/hostname',
    identify: { from: 'body' },
    replicas: 3,
    // Above the drain so the kubelet never has to SIGKILL a draining pod.
    terminationGracePeriodSeconds: drainSeconds + 10,
    from: { name: 'v1' },
    to: { name: 'v2' },
  };
}

/**
 * How long a draining drain-server must have gone without a request before it exits (`--until-quiet`): at 200
 * requests a second per mode, a pod kube-proxy still routes to sees dozens of requests in that time, so silence
 * means kube-proxy has moved on. Well above the longest generator stall seen here (send gaps of 1.9 s, before
 * the generator got a thread of its own), which must not pass for it; and free when kube-proxy is quick (quiet
 * is counted from the last request, which then came early in the drain).
 */
export const DRAIN_QUIET_SECONDS = 3;
// The drain plus the wait for quiet: on a starved node kube-proxy was seen over 10 s behind the endpoint's
// removal. Past the grace period the kubelet kills the pod and the check reports it (old pods not graceful).
const DRAIN_GRACE_MARGIN_SECONDS = 20;

/**
 * The drain-server image of the run: a run on kind builds it and serves it from its local registry; on an existing
 * cluster only WC_DRAIN_SERVER_IMAGE names one (its nodes cannot pull from this machine).
 */
export function drainServerImage(images: { drainServer?: string }): string {
  if (images.drainServer) return images.drainServer;
  throw new Error('no drain-server image: this cluster was not made by the harness, whose kind runs build and serve it; ' +
    'push drain-server (offline/go/drain-server) where this cluster\'s nodes pull from and set WC_DRAIN_SERVER_IMAGE to it');
}

/**
 * The reference workload: drain-server (offline/go/drain-server), this project's own small HTTP server.
 * On SIGTERM it fails /readyz, keeps serving for `drainSeconds` and then until no request has come for
 * DRAIN_QUIET_SECONDS, answering with `Connection: close`, leaves idle keep-alive connections alone, then exits
 * 0; with 0 it exits at once: the negative control. /hostname returns the pod name, which the API maps to a version.
 */
export function drainServerWorkload(image: string, drainSeconds: number, name = 'web'): WorkloadSpec {
  if (drainSeconds <= 0) return referenceWorkload(name, image, ['--port=8080', '--drain=0s'], 0);
  return {
    ...referenceWorkload(name, image, ['--port=8080', `--drain=${drainSeconds}s`, `--until-quiet=${DRAIN_QUIET_SECONDS}s`], drainSeconds),
    terminationGracePeriodSeconds: drainSeconds + DRAIN_GRACE_MARGIN_SECONDS,
  };
}

/**
 * agnhost netexec, which on SIGTERM fails /readyz at once and keeps serving for `drainSeconds`, then
 * exits 0 — but never closes keep-alive connections (see docs/rollout.md); the benchmark still uses it.
 * With 0 it exits at once. The UDP server stays on because /readyz answers 412 until it is up.
 */
export function agnhostWorkload(image: string, drainSeconds: number, name = 'web'): WorkloadSpec {
  return referenceWorkload(name, image, ['netexec', '--http-port=8080', '--udp-port=8081', `--delay-shutdown=${drainSeconds}`], drainSeconds);
}
