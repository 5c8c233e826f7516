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

/**
 * A zero-loss case measured, and measured once more only when the first run was "load too thin to judge" and
 * nothing but its load was wrong (`again`, by default verdict.measureAgain: nothing lost, every mode ending where it
 * must, every ended pod gone gracefully): the generator, not the workload, fell behind (a busy 2-core machine stalls
 * it now and then). A run with any other problem is never measured again, and a second thin run fails. Both
 * reports are kept (the second as rollout-<slug>-again.*).
 */
export async function measuredOnceMore<R extends CheckResult>(observations: Record<string, unknown>, slug: string,
  check: (slug: string) => Promise<R>, again: (r: R) => boolean = (r) => r.verdict.measureAgain): Promise<R> {
  const first = await check(slug);
  if (!again(first)) return first;
  process.stderr.write(`[wc] ${slug}: ${first.verdict.message}\n[wc] ${slug}: only the load was too thin to judge (nothing lost, ended pods graceful, ending where it must): measuring once more\n`);
  observations.thinFirstRun = { verdict: first.verdict.message, ledger: first.files.json, timeline: first.files.svg };
  return check(`${slug}-again`);
}
