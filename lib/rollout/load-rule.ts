// "Load is part of the verdict": a rollout that lost nothing proves little if the generator was not
// sending while the old pods went away. Over the rollout window (from the patch until the last old pod
// is gone, plus WINDOW_TAIL_MS) every mode must have sent at least MIN_RATE_FRACTION of its offered rate,
// and no two consecutive sends (nor the window's edges and the nearest send) may be further apart than
// the gap bound; otherwise the case is "load too thin to judge", with these figures.
import type { RequestRecord } from './ledger/types.ts';

/** How long after the last old pod is gone the window still runs: late resets of its connections count. */
export const WINDOW_TAIL_MS = 3000;
export const MIN_RATE_FRACTION = 0.95;

export interface LoadRule {
  offeredPerSecond: number;
  /** The longest allowed time between two sends in the window, ms. */
  maxSendGapMs: number;
  minRateFraction?: number;
}

export interface ModeLoad {
  windowSeconds: number;
  offeredPerSecond: number;
  sentInWindow: number;
  achievedPerSecond: number;
  /** achieved / offered. */
  fraction: number;
  maxSendGapMs: number;
  /** Where the longest gap starts, ms on the ledger axis. */
  maxSendGapAt: number;
  ok: boolean;
  problem?: string;
  /** Several generators (judgeShared): each one's own figures, at its share of the offered rate. */
  generators?: ModeLoad[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Judges one mode's sends (records' `start`) over [from, to) on the ledger axis. */
export function judgeLoad(records: readonly RequestRecord[], from: number, to: number, rule: LoadRule, mode = 'load'): ModeLoad {
  const starts = records.map((r) => r.start).filter((s) => s >= from && s < to).sort((a, b) => a - b);
  const windowSeconds = Math.max(to - from, 0) / 1000;
  const achievedPerSecond = windowSeconds > 0 ? starts.length / windowSeconds : 0;
  const fraction = rule.offeredPerSecond > 0 ? achievedPerSecond / rule.offeredPerSecond : 0;
  let maxSendGapMs = 0;
  let maxSendGapAt = from;
  let previous = from;
  for (const s of [...starts, to]) {
    if (s - previous > maxSendGapMs) {
      maxSendGapMs = s - previous;
      maxSendGapAt = previous;
    }
    previous = s;
  }
  const minFraction = rule.minRateFraction ?? MIN_RATE_FRACTION;
  const problems: string[] = [];
  if (fraction < minFraction) {
    problems.push(`${r1(achievedPerSecond)} req/s sent in the ${r1(windowSeconds)} s rollout window, ${r1(fraction * 100)} % of the offered ${r1(rule.offeredPerSecond)} (< ${Math.round(minFraction * 100)} %)`);
  }
  if (maxSendGapMs > rule.maxSendGapMs) {
    problems.push(`no request sent for ${Math.round(maxSendGapMs)} ms from t=${Math.round(maxSendGapAt)} ms (bound ${rule.maxSendGapMs} ms)`);
  }
  return {
    windowSeconds: r1(windowSeconds),
    offeredPerSecond: rule.offeredPerSecond,
    sentInWindow: starts.length,
    achievedPerSecond: r1(achievedPerSecond),
    fraction: Math.round(fraction * 1000) / 1000,
    maxSendGapMs: Math.round(maxSendGapMs),
    maxSendGapAt: Math.round(maxSendGapAt),
    ok: problems.length === 0,
    ...(problems.length ? { problem: `${mode}: ${problems.join('; ')}` } : {}),
  };
}

/**
 * The load rule for a mode whose sends came from several generators (records tagged `generator`, merge.ts): each is
 * judged alone, on its own records, at its share of the offered rate, and the mode holds only if every one does — a
 * pod that paused must not pass because another pod's sends filled its gap. The mode's figures are the sums (sent,
 * rate) and the worst pod's (fraction, send gap). With one generator (no `generators`), judgeLoad as it is.
 */
export function judgeShared(records: readonly RequestRecord[], from: number, to: number, rule: LoadRule, mode: string,
  generators?: readonly { name: string }[]): ModeLoad {
  const whole = judgeLoad(records, from, to, rule, mode);
  if (!generators || generators.length < 2) return whole;
  const share = { ...rule, offeredPerSecond: rule.offeredPerSecond / generators.length };
  const each = generators.map((g, i) => judgeLoad(records.filter((r) => r.generator === i), from, to, share, `${mode} from ${g.name}`));
  const worstGap = each.reduce((a, b) => (b.maxSendGapMs > a.maxSendGapMs ? b : a));
  const problems = each.flatMap((l) => (l.problem ? [l.problem] : []));
  const { problem: _merged, ...sums } = whole;
  return {
    ...sums,
    fraction: Math.min(...each.map((l) => l.fraction)),
    maxSendGapMs: worstGap.maxSendGapMs,
    maxSendGapAt: worstGap.maxSendGapAt,
    ok: problems.length === 0,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
    generators: each,
  };
}
