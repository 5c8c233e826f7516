// The rollout wing's entry, for tests/rolling-update.test.ts: the check end to end, the reference
// workload, and "bring your own workload" (its settings are parsed on the run side, with every WC_*).
export { hostLoad, inClusterLoad, rolloutCheck } from './check.ts';
export type { CheckResult } from './check.ts';
export { loadObservations, measuredOnceMore } from './observations.ts';
export { agnhostWorkload, DRAIN_QUIET_SECONDS, drainServerImage, drainServerWorkload } from './spec.ts';
export { CONNECTION_MODES, STRICT_MODES } from './ledger/types.ts';
export type { ConnectionMode } from './ledger/types.ts';
export type { WorkloadSpec } from './spec.ts';
export { byoRequested, byoWorkload } from '../run/config-rollout.ts';
