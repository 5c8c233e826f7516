// The zero-loss promise as one verdict: enough requests in every mode, none failed, every mode ended
// on the new version, every old pod terminated gracefully. Problems are listed with their counts so a
// failed test (and its JUnit entry) says exactly what went wrong.
import type { RolloutOutcome } from './outcome.ts';
import { countsLine } from './outcome.ts';

export interface Verdict {
  ok: boolean;
  problems: string[];
  /** Counts line plus problems: the failure message. */
  message: string;
}

export function zeroLossVerdict(o: RolloutOutcome, minRequestsPerMode: number, newVersion: string): Verdict {
  const problems: string[] = [];
  for (const [mode, f] of Object.entries(o.byMode)) {
    if (f.total < minRequestsPerMode) problems.push(`${mode}: only ${f.total} requests (< ${minRequestsPerMode})`);
    if (f.failed > 0) {
      const causes = Object.entries(f.failuresByCause).map(([k, v]) => `${k} ${v}`).join(', ');
      problems.push(`${mode}: ${f.failed} of ${f.total} requests failed (${causes}), ${f.disruptionSeconds} s disrupted`);
    }
    if (!o.endsOnNewVersion[mode as keyof typeof o.endsOnNewVersion]) problems.push(`${mode}: the last answers did not all come from ${newVersion}`);
  }
  if (Object.keys(o.byMode).length === 0) problems.push('no requests were recorded');
  if (o.oldPodsTotal === 0) problems.push('no old pod was observed terminating');
  if (o.oldPodsGraceful < o.oldPodsTotal) problems.push(`only ${o.oldPodsGraceful} of ${o.oldPodsTotal} old pods terminated gracefully`);
  const ok = problems.length === 0;
  return { ok, problems, message: `${ok ? 'zero loss' : `lost: ${problems.join('; ')}`} — ${countsLine(o)}` };
}
