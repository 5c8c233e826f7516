// The PodDisruptionBudget check: the Eviction API lets a budget's pods go only as fast as the budget allows. With
// one disruption allowed, the first eviction is granted and the next is refused by the budget (429, DisruptionBudget
// cause) while the first one's replacement is not Ready, then granted once it is.
import type { EvictionAnswer } from '../kit/evictions.ts';

export interface EvictionRecord {
  pod: string;
  /** This process's clock, ms, when the answer came. */
  atMs: number;
  answer: EvictionAnswer;
}

const said = (r: EvictionRecord): string => r.answer.granted ? 'granted'
  : `refused (${r.answer.status ?? '?'}${r.answer.byBudget ? ', DisruptionBudget' : ', not by a budget'}: ${r.answer.message})`;

export interface BudgetVerdict {
  held: boolean;
  failures: string[];
}

/**
 * Whether evictions kept to a budget of one disruption: `first` granted; `next`, asked before the first one's
 * replacement was Ready (`replacementReadyAtMs`, this process's clock), refused by the budget; `again`, asked once
 * it was, granted. `failures` names each part that did not hold.
 */
export function budgetHonoured(first: EvictionRecord, next: EvictionRecord, replacementReadyAtMs?: number, again?: EvictionRecord): BudgetVerdict {
  const failures: string[] = [];
  if (!first.answer.granted) failures.push(`the first eviction (${first.pod}) was ${said(first)}`);
  if (next.answer.granted) failures.push(`the second eviction (${next.pod}) was granted while the first one's replacement was not Ready: nothing held the pods back`);
  else if (!next.answer.byBudget) failures.push(`the second eviction (${next.pod}) was ${said(next)}, not refused by the budget`);
  if (replacementReadyAtMs !== undefined && next.atMs > replacementReadyAtMs) failures.push('the second eviction was asked after the replacement was Ready: it proves nothing');
  if (!again) failures.push('no eviction was asked again once the replacement was Ready');
  else if (!again.answer.granted) failures.push(`the eviction asked again once the replacement was Ready (${again.pod}) was ${said(again)}`);
  return { held: failures.length === 0, failures };
}

/** Whether an eviction was refused by a budget (429 with the DisruptionBudget cause), saying what it was otherwise. */
export function refusedByBudget(r: EvictionRecord): BudgetVerdict {
  if (r.answer.granted) return { held: false, failures: [`the eviction of ${r.pod} was granted`] };
  return r.answer.byBudget ? { held: true, failures: [] } : { held: false, failures: [`the eviction of ${r.pod} was ${said(r)}`] };
}
