/** Labels on every object the harness creates: how the sweeper and the interrupt cleanup find them. */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'workload-conformance';
export const RUN_LABEL = 'workload-conformance.io/run';
export const BEHAVIOUR_LABEL = 'workload-conformance.io/behaviour';

/** Annotations on harness namespaces naming the process that made them (for people; liveness is the run lease, run-lease.ts). */
export const OWNER_HOST_ANNOTATION = 'workload-conformance.io/owner-host';
export const OWNER_PID_ANNOTATION = 'workload-conformance.io/owner-pid';

export const MANAGED_SELECTOR = `${MANAGED_BY}=${MANAGED_BY_VALUE}`;

export function runLabels(runId: string): Record<string, string> {
  return { [MANAGED_BY]: MANAGED_BY_VALUE, [RUN_LABEL]: runId };
}

export function runSelector(runId: string): string {
  return `${MANAGED_SELECTOR},${RUN_LABEL}=${runId}`;
}
