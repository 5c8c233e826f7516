// The checks: each a function from a workload (and its load) to a verdict with its evidence, called by the
// behaviour tests on the reference workloads and their controls, and by the audit on a user's own.
export * from './verdict.ts';
export * from './probes.ts';
export * from './startup.ts';
export * from './deletion.ts';
export * from './under-load.ts';
export * from './restart.ts';
export * from './eviction.ts';
export * from './redundancy.ts';
export * from './resources.ts';
export * from './drain.ts';
export * from './placement.ts';
export * from './disruption-budget.ts';
export * from './node-loss.ts';
