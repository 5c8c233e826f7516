import type { CheckResult } from './check.ts';

/** What summary.json keeps of a check under load: the counts per mode and where the ledger and picture are. */
export function loadObservations(r: CheckResult): Record<string, unknown> {
  return {
    verdict: r.verdict.message,
    verdictKind: r.verdict.kind,
    byMode: Object.fromEntries(Object.entries(r.outcome.byMode).map(([mode, f]) => [mode, {
      requests: f.total, failed: f.failed, retried: f.retried, failuresByCause: f.failuresByCause,
      disruptionSeconds: f.disruptionSeconds, ratePerSecond: f.ratePerSecond, latencyMs: f.latencyMs,
      rolloutWindow: r.outcome.load[mode as keyof typeof r.outcome.load],
    }])),
    rolloutSeconds: r.outcome.rolloutSeconds,
    generatorEventLoopBlockedMaxMs: r.outcome.generatorBlockedMaxMs,
    oldPodsGraceful: `${r.outcome.oldPodsGraceful}/${r.outcome.oldPodsTotal}`,
    loadFrom: r.run.loadWhere,
    ledger: r.files.json,
    timeline: r.files.svg,
  };
}
