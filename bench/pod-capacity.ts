// What one in-cluster capacity measurement of bench/rollout.ts amounts to: the rate sent over the window (all pods,
// every mode), what failed, and whether the rate was held as the checks hold it: every pod sent at least 95 % of its
// share with no send gap over the checks' bound, in every mode (the load rule, load-rule.ts, judged per pod), and
// nothing failed. A sum that reaches 95 % while one pod falls short is not held: the checks would refuse that load.
import { judgeShared, MIN_RATE_FRACTION } from '../lib/rollout/load-rule.ts';
import { byMode } from '../lib/rollout/ledger/derive.ts';
import { isFailure, type ConnectionMode, type RawLedger } from '../lib/rollout/ledger/types.ts';

export interface PodCapacity {
  /** Offered over every mode, req/s. */
  offered: number;
  /** Sent over the window, every mode and pod, req/s. */
  achieved: number;
  failed: number;
  /** The lowest share of its own offered rate any pod sent in any mode. */
  worstPodFraction: number;
  /** The longest time between two sends of one pod in one mode, ms. */
  maxSendGapMs: number;
  held: boolean;
}

/** Judges the sends in [fromMs, toMs) on the ledger's axis, each mode offered `perModeRate` req/s by the pods together. */
export function podCapacity(ledger: RawLedger, fromMs: number, toMs: number, perModeRate: number, modes: readonly ConnectionMode[],
  maxSendGapMs: number): PodCapacity {
  const groups = byMode(ledger.records);
  const loads = modes.map((mode) => judgeShared(groups.get(mode) ?? [], fromMs, toMs, { offeredPerSecond: perModeRate, maxSendGapMs },
    mode, ledger.generators));
  const seconds = (toMs - fromMs) / 1000;
  const offered = perModeRate * modes.length;
  const achieved = seconds > 0 ? loads.reduce((sum, l) => sum + l.sentInWindow, 0) / seconds : 0;
  const failed = ledger.records.filter(isFailure).length;
  return {
    offered,
    achieved: Math.round(achieved * 10) / 10,
    failed,
    worstPodFraction: Math.min(...loads.map((l) => l.fraction)),
    maxSendGapMs: Math.max(...loads.map((l) => l.maxSendGapMs)),
    held: loads.every((l) => l.ok) && achieved >= MIN_RATE_FRACTION * offered && failed === 0,
  };
}
