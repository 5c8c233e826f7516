// The zero-loss promise as one verdict, reached in this order (docs/rollout.md, "How the verdict is reached"):
// 1. load too thin to judge: a configured mode recorded nothing, or over the rollout window a mode sent
//    less than 95 % of its offered rate or paused longer than the send-gap bound (load-rule.ts);
// 2. lost: a mode has failed requests, too few requests, or did not end on the new version, or an old pod
//    did not terminate gracefully;
// 3. zero loss otherwise.
// Problems are listed with their counts so a failed test (and its JUnit entry) says exactly what went wrong.
import type { RolloutOutcome } from './outcome.ts';
import { countsLine } from './outcome.ts';

export type VerdictKind = 'zero-loss' | 'lost' | 'load-too-thin';

export interface Verdict {
  ok: boolean;
  kind: VerdictKind;
  problems: string[];
  /** Counts line plus problems: the failure message. */
  message: string;
  /**
   * Only the load was at fault: the run is "load too thin to judge" and, its load problems (and the request count
   * a thin load falls short of) set aside, it would pass: nothing lost, every mode ending on the new version, every
   * old pod gone gracefully. Only such a run may be measured once more; a thin run with any other problem fails.
   */
  measureAgain: boolean;
}

export function zeroLossVerdict(o: RolloutOutcome, minRequestsPerMode: number, newVersion: string): Verdict {
  const thin: string[] = o.modesWithoutRecords.map((m) => `${m}: no requests recorded`);
  for (const load of Object.values(o.load)) if (load.problem) thin.push(load.problem);
  if (Object.keys(o.byMode).length === 0) thin.push('no requests were recorded');
  if (thin.length && o.generatorBlockedMaxMs !== undefined) {
    const priority = o.generatorNice !== undefined ? `, its thread at nice ${o.generatorNice}` : '';
    thin.push(`the generator's own event loop was blocked for up to ${o.generatorBlockedMaxMs} ms${priority} (a gap that long is the generator or its machine stalling, not the workload)`);
  }

  const problems: string[] = [];
  // A thin load falls short of the request count too: that shortfall is a load problem, the others are the workload's.
  const shortOfRequests: string[] = [];
  for (const [mode, f] of Object.entries(o.byMode)) {
    if (f.total < minRequestsPerMode) {
      const short = `${mode}: only ${f.total} requests (< ${minRequestsPerMode})`;
      problems.push(short);
      shortOfRequests.push(short);
    }
    if (f.failed > 0) {
      const causes = Object.entries(f.failuresByCause).map(([k, v]) => `${k} ${v}`).join(', ');
      const span = o.failedSpan?.[mode as keyof typeof o.failedSpan];
      const when = span ? `, from ${(span[0] / 1000).toFixed(1)} to ${(span[1] / 1000).toFixed(1)} s` : '';
      problems.push(`${mode}: ${f.failed} of ${f.total} requests failed (${causes}), ${f.disruptionSeconds} s disrupted${when}`);
    }
    if (o.endsOnNewVersion[mode as keyof typeof o.endsOnNewVersion] === false) problems.push(`${mode}: the last answers did not all come from ${newVersion}`);
  }
  if (o.oldPodsTotal === 0) problems.push('no old pod was observed terminating');
  if (o.oldPodsGraceful < o.oldPodsTotal) problems.push(`only ${o.oldPodsGraceful} of ${o.oldPodsTotal} old pods terminated gracefully`);

  const kind: VerdictKind = thin.length ? 'load-too-thin' : problems.length ? 'lost' : 'zero-loss';
  const listed = [...thin, ...problems];
  const head = kind === 'zero-loss' ? 'zero loss' : kind === 'lost' ? `lost: ${problems.join('; ')}`
    : `load too thin to judge: ${listed.join('; ')}`;
  // A loss is placed in time against the rollout (seconds after the load started), for a CI log without the ledger.
  const when = kind === 'lost' && o.moments ? ` — when (s after the load started): ${o.moments}` : '';
  const measureAgain = kind === 'load-too-thin' && problems.every((p) => shortOfRequests.includes(p));
  return { ok: kind === 'zero-loss', kind, problems: listed, message: `${head} — ${countsLine(o)}${when}`, measureAgain };
}
