import { runCase, useTestNamespace } from '../lib/kit/index.ts';
import type { CheckResult } from '../lib/rollout/index.ts';
import { agnhostWorkload, byoRequested, byoWorkload, rolloutCheck } from '../lib/rollout/index.ts';

const BEHAVIOUR = 'Zero lost requests during a rolling update';
// Each case keeps the load on for at least 10,000 requests per mode (about a minute) plus the rollout.
const CASE_TIMEOUT_MS = 10 * 60_000;
const t = useTestNamespace('rolling-update');

/** What summary.json keeps of a check: the counts per mode and where the ledger and picture are. */
function seen(observations: Record<string, unknown>, r: CheckResult): void {
  Object.assign(observations, {
    verdict: r.verdict.message,
    byMode: Object.fromEntries(Object.entries(r.outcome.byMode).map(([mode, f]) => [mode, {
      requests: f.total, failed: f.failed, failuresByCause: f.failuresByCause,
      disruptionSeconds: f.disruptionSeconds, ratePerSecond: f.ratePerSecond, latencyMs: f.latencyMs,
    }])),
    rolloutSeconds: r.outcome.rolloutSeconds,
    oldPodsGraceful: `${r.outcome.oldPodsGraceful}/${r.outcome.oldPodsTotal}`,
    loadFrom: r.run.loadWhere,
    ledger: r.files.json,
    timeline: r.files.svg,
  });
}

/** Throwing (rather than expect) puts the counts in the failure message, and so in JUnit. */
function assertZeroLoss(r: CheckResult): void {
  if (!r.verdict.ok) throw new Error(r.verdict.message);
}

test('a rollout of a drained workload (readiness fails at SIGTERM, 5 s drain) loses none of >= 10,000 requests in either connection mode, ends on the new version, and every old pod exits gracefully', async () => {
  await runCase(BEHAVIOUR, 'drained workload (agnhost netexec --delay-shutdown=5)', async (observations) => {
    const r = await rolloutCheck(t, 'drained', 'Rolling update: drained workload', agnhostWorkload(t.images.agnhost, 5, 'drained'));
    seen(observations, r);
    assertZeroLoss(r);
  });
}, CASE_TIMEOUT_MS);

test('negative control: the same check catches a workload that exits at once on SIGTERM (no drain) by reporting failed requests', async () => {
  await runCase(BEHAVIOUR, 'negative control: undrained workload (--delay-shutdown=0)', async (observations) => {
    const r = await rolloutCheck(t, 'undrained', 'Rolling update: undrained workload (negative control)', agnhostWorkload(t.images.agnhost, 0, 'undrained'));
    seen(observations, r);
    if (r.verdict.ok || r.outcome.overall.failed === 0) {
      throw new Error(`the check failed to catch an undrained workload: ${r.verdict.message}`);
    }
  });
}, CASE_TIMEOUT_MS);

(byoRequested() ? test : test.skip)('your workload (WC_ROLLOUT_CONFIG / WC_ROLLOUT_IMAGE) rolls without losing a request', async () => {
  await runCase(BEHAVIOUR, 'bring your own workload', async (observations) => {
    const r = await rolloutCheck(t, 'byo', 'Rolling update: your workload', byoWorkload());
    seen(observations, r);
    assertZeroLoss(r);
  });
}, CASE_TIMEOUT_MS);
