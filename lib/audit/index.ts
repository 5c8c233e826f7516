// The audit of a user's own workload: its input read from plain YAML, the checks of lib/checks/ run on it, the
// scorecard. What the CLI's `audit` and the audit's proof (tests/audit.test.ts) import.
export * from './input.ts';
export * from './audit.ts';
export * from './scorecard.ts';
