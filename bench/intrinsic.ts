// The Kubernetes-intrinsic minimum of each cluster test file: the seconds its cases cannot be shorter than,
// because Kubernetes' own timers (probe period x threshold, back-off, grace periods, windows the behaviour is
// watched over) or the request count at the offered rate make them so. Cases a file runs side by side
// (startCase / test.concurrent) count once, by the longest; cases one after another add up. Pod start-up,
// API latency and namespace creation are not intrinsic (they are what a faster cluster shortens); the
// namespace teardown counts only where a pod is left with a long shutdown (its grace is a timer).
// bench/suite.ts divides each file's wall time by this. `undefined`: not yet read.

export interface Intrinsic {
  /** The file's minimum; with `perTest`, the minimum of each test that ran (cases one after another). */
  seconds: number | undefined;
  /** For a file whose number of tests depends on the run's settings (rolling-update's own-workload case). */
  perTest?: true;
  why: string;
}

export const INTRINSIC: Record<string, Intrinsic> = {
  'liveness-restart.test.ts': { seconds: 25, why:
    'all four pods at once; the controls are Ready after initialDelay 5 s + 10 successes x period 2 s (about 23-25 s); ' +
    'the failing pods are restarted at 10 s healthy + period 2 s x threshold 1 + grace 1 s' },
  'oom-kill.test.ts': { seconds: 5, why:
    'both pods at once: sleep 3 s before the 20 MiB allocation, then the kill and restart (no back-off before the first restart); ' +
    'the control turns Ready 1 s (period) after its allocation' },
  'readiness-endpoints.test.ts': { seconds: 14, why:
    'readiness period 1 s for each transition (not ready, ready after the touch); the terminating pod drains 10 s ' +
    '(netexec --delay-shutdown=10, grace 15 s) before the namespace can go' },
  'statefulset-pvc.test.ts': { seconds: 4, why:
    'two Parallel replicas; each deleted pod goes after grace 1 s and comes back on its claim; readiness period 1 s' },
  'headless-dns.test.ts': { seconds: 3, why:
    'two Parallel replicas; one pod recreated (grace 1 s) and its name re-resolved (CoreDNS follows the EndpointSlice at once)' },
  'rolling-update.test.ts': { seconds: 52, perTest: true, why:
    'per case, one after another (four, five with WC_ROLLOUT_CONFIG): >= 10,000 requests per mode at 200 req/s (50 s) + ' +
    '2 s warm-up (400 requests); the 3-replica rollout (a drain of 10 s, then 3 s without a request, per old pod) runs inside the load window' },
  'init-containers.test.ts': { seconds: 20, why:
    'both pods at once; the failing init container is watched for the 20 s held-back window, longer when the kubelet publishes ' +
    'Init:CrashLoopBackOff later (its pod worker re-syncs 10-15 s after the back-off decision); the in-order pod needs 2 x 1 s' },
  'termination.test.ts': { seconds: 10, why:
    'four pods deleted at once; the longest is the 8 s task the preStop hook waits for (+ readiness period 1 s, ' +
    'the kubelet reacting about 1 s after the delete); the others: 3 s grace + 2 s kubelet minimum, 4 s grace, at once' },
  'slow-start.test.ts': { seconds: 32, why:
    'both pods at once: the guarded app loads 30 s, then readiness period 1 s; the control is killed after period 2 s x threshold 3' },
  'replicaset-self-healing.test.ts': { seconds: 10, why:
    'three cases at once; the bare pod is watched for the 10 s not-replaced window (deletions: grace 1 s)' },
  'smoke.test.ts': { seconds: 6, why:
    'one after another, each short: OOM after sleep 2 s, liveness kill after initialDelay 2 s + period 2 s x 1 + grace 1 s, readiness period 1 s' },
  'harness-failures.test.ts': { seconds: 17, why:
    'the crash-looping pod restarts after the kubelet\'s 10 s back-off; the timeout case waits its 3 s deadline; ' +
    'the failing-probe pod: period 1 s' },
  'harness-sweeper.test.ts': { seconds: 0, why: 'no timer: two namespaces created and one deleted (API work only)' },
  'harness-least-privilege.test.ts': { seconds: 0, why:
    'no timer: RBAC and admission answers to API calls, one pod started for the exec checks (start-up is not intrinsic)' },
  'harness-shared-cluster.test.ts': { seconds: 0, why: 'no timer: leases written with past or present renew times (API work only)' },
  'statefulset-ordering.test.ts': { seconds: 12, why:
    'both sets at once: pod 0 held not-ready for the 5 s window, then three pods released one by one (readiness period 1 s each), ' +
    'then scaled to 0 (the shell exits on SIGTERM: no grace waited)' },
  'statefulset-updates.test.ts': { seconds: 15, why:
    'both sets at once: 5 s windows before and after the canary (partition 2) update, one pod replaced at a time ' +
    '(exits on SIGTERM; readiness period 1 s)' },
  // Resources and scheduling: from their windows and the metrics-server / HPA periods they wait on.
  'scheduling.test.ts': { seconds: 40, why:
    'two watched 20 s windows one after the other (CPU, then memory; each twice the scheduler\'s 10 s maximum back-off); the control is scheduled at once' },
  'cpu-limits.test.ts': { seconds: 10, why:
    'both burners measured side by side over one 10 s window (100 CFS periods of 100 ms)' },
  'qos-classes.test.ts': { seconds: 1, why:
    'no timer: the class, cgroup limits and oom_score_adj are read once the pods run' },
  'node-loss.test.ts': { seconds: 120, why:
    'the pods are recorded for 120 s from the stop: node-monitor-grace-period 50 s (+ monitor period 5 s) to the taint, the 10 s ' +
    'toleration to the eviction, the StatefulSet watched 50 s past the taint; the node\'s restart (kubelet start-up) is not intrinsic' },
  'autoscaling.test.ts': { seconds: 80, why:
    'first utilization ~2 x (10 s metric resolution + 15 s HPA sync), scale up ~25 s (scrape + sync), scale down ~25 s ' +
    '(scrape + sync, stabilization 0); the control\'s 45 s window runs beside them' },
};

/** The entry for a test file (by its base name), or an "unknown" one for a file the table does not list. */
export function intrinsicOf(file: string): Intrinsic {
  const base = file.replace(/^.*\//, '');
  return INTRINSIC[base] ?? { seconds: undefined, why: 'unknown: add it to bench/intrinsic.ts' };
}

/** A file's minimum in one run: a per-test entry times the tests that ran (not skipped). */
export function intrinsicSeconds(entry: Intrinsic, testsRun: number): number | undefined {
  return entry.perTest && entry.seconds !== undefined ? entry.seconds * testsRun : entry.seconds;
}
