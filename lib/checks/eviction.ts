// Eviction under load: every pod of the workload asked to go at once through the Eviction API, as a drain of all its
// nodes (a cluster upgrade) asks, kubectl's retry after each refusal (lib/rollout/eviction.ts). Its PodDisruptionBudget
// must hold some back (one granted at a time while the others serve) and no request may be lost; a budget that lets
// nothing go at all blocks every drain.
import type { EvictAllEvidence } from '../rollout/eviction.ts';
import { lossJudged, requestEvidence, type UnderLoad } from './under-load.ts';
import type { StaticWarning, Verdict } from './verdict.ts';

export const EVICTION_QUESTION = 'Does a node drain (the Eviction API) keep it serving: does its PodDisruptionBudget hold pods back, and is no request lost?';

export function budgetWarnings(kind: string, hasBudget: boolean): StaticWarning[] {
  return [
    { tool: 'kube-score', id: `${kind.toLowerCase()}-has-poddisruptionbudget`, warns: !hasBudget, about: 'a PodDisruptionBudget' },
    { tool: 'Polaris', id: 'missingPodDisruptionBudget', warns: !hasBudget, about: 'a PodDisruptionBudget' },
  ];
}

export function evictionVerdict(kind: string, hasBudget: boolean, ev: EvictAllEvidence, u: UnderLoad): Verdict {
  const loss = lossJudged(u);
  const atOnce = `the Eviction API let ${ev.grantedAtOnce} of ${ev.replicas} replicas go at once` +
    (ev.refusedByBudget ? ` (and refused ${ev.refusedByBudget} ask(s) by the budget until replacements were Ready)` : '');
  const allAtOnce = ev.replicas > 1 && ev.grantedAtOnce >= ev.replicas;
  const problems = [
    ...(allAtOnce ? [`${atOnce}: ${hasBudget ? 'its PodDisruptionBudget held none back' : 'no PodDisruptionBudget holds them back'}; ` +
      'a PodDisruptionBudget with maxUnavailable 1 (or minAvailable replicas-1) makes a drain take them one at a time'] : []),
    ...(loss.level === 'fail' ? [loss.line] : []),
  ];
  const evidence = { replicas: ev.replicas, grantedAtOnce: ev.grantedAtOnce, refusedByBudget: ev.refusedByBudget, hasBudget,
    asked: ev.asked.map((a) => ({ pod: a.pod, atSeconds: Math.round(a.at / 100) / 10, round: a.round, granted: a.answer.granted })), ...requestEvidence(u) };
  const base = { check: 'eviction', question: EVICTION_QUESTION, evidence, static: budgetWarnings(kind, hasBudget) };
  if (problems.length) return { ...base, verdict: 'fail', summary: problems.join('; ') };
  return { ...base, verdict: 'pass', summary: `${atOnce}; ${loss.line}` };
}

/**
 * Evictions refused for longer than a replacement takes to turn Ready since the last grant: the budget lets nothing
 * (more) go, so a drain of its nodes would not end. `granted`: how many it had let go before.
 */
export function evictionBlockedVerdict(kind: string, hasBudget: boolean, message: string, granted: number): Verdict {
  const why = granted === 0 ? 'its PodDisruptionBudget allows no disruption' : `after ${granted} eviction(s) its PodDisruptionBudget let no more go (a replacement not Ready?)`;
  return { check: 'eviction', question: EVICTION_QUESTION, verdict: 'fail', evidence: { hasBudget, refused: message, granted }, static: budgetWarnings(kind, hasBudget),
    summary: `${message}: ${why}, so a drain of its nodes would not end; allow one disruption (maxUnavailable 1) and run more than one replica` };
}
