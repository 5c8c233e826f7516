// The drain check: a workload drained off a node under load loses no request (the rollout wing's zero-loss verdict,
// every request counted by cause) and never stands without a Ready pod while it happens. The node-drain behaviour runs
// it on the reference workloads (drainCheck), the audit on the user's (drainVerdict): the same stretches, the same loss.
import type { TestNamespace } from '../kit/fixture.ts';
import type { PodEvent } from '../kit/pod-observer.ts';
import { rolloutCheck, type CheckResult } from '../rollout/check.ts';
import type { RolloutRun } from '../rollout/driver.ts';
import { nodeDrain } from '../rollout/drain.ts';
import type { RolloutSettings } from '../run/config-rollout.ts';
import type { WorkloadSpec } from '../rollout/spec.ts';
import { budgetWarnings } from './eviction.ts';
import { lossJudged, requestEvidence, type UnderLoad } from './under-load.ts';
import type { Verdict } from './verdict.ts';

export const DRAIN_QUESTION = 'Does a drain of one of its nodes (kubectl drain: cordon, evict its pods through their budget) keep it serving, ' +
  'a Ready pod throughout and no request lost?';

/** A stretch with no Ready pod of the workload, on the ledger's axis (ms). */
export interface ReadyGap {
  from: number;
  to: number;
}

/**
 * The stretches within [from, to] when none of the pods was Ready, from the pods' watched events (the first Ready
 * pod starts the count: before it the workload was still coming up).
 */
export function readyGaps(events: readonly PodEvent[], from: number, to: number): ReadyGap[] {
  const ready = new Set<string>();
  const gaps: ReadyGap[] = [];
  let gapFrom: number | undefined;
  let seenReady = false;
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (e.kind === 'ready') ready.add(e.pod);
    else if (e.kind === 'not-ready' || e.kind === 'terminating' || e.kind === 'exited' || e.kind === 'deleted' || e.kind === 'restarted') ready.delete(e.pod);
    if (ready.size) seenReady = true;
    if (seenReady && ready.size === 0 && gapFrom === undefined) gapFrom = e.at;
    if (ready.size > 0 && gapFrom !== undefined) {
      gaps.push({ from: gapFrom, to: e.at });
      gapFrom = undefined;
    }
  }
  if (gapFrom !== undefined) gaps.push({ from: gapFrom, to: Number.POSITIVE_INFINITY });
  return gaps.filter((g) => g.to > from && g.from < to).map((g) => ({ from: Math.max(g.from, from), to: Math.min(g.to, to) }));
}

export interface DrainResult extends CheckResult {
  node?: string;
  readyGaps: ReadyGap[];
  /** The check's problems: the zero-loss verdict's, and each stretch without a Ready pod. */
  problems: string[];
  ok: boolean;
}

/** The stretches without a Ready pod in the run's measured window, each as a problem. */
export function readyGapProblems(run: RolloutRun, name: string): { gaps: ReadyGap[]; problems: string[] } {
  const gaps = readyGaps(run.podEvents, run.phases.windowStartAt, run.phases.windowEndAt);
  return { gaps, problems: gaps.map((g) => `no Ready pod of ${name} from ${(g.from / 1000).toFixed(1)} to ${(g.to / 1000).toFixed(1)} s`) };
}

/** Drains the node holding most of `spec`'s pods under load, and judges it (see the file's head). */
export async function drainCheck(t: TestNamespace, caseName: string, title: string, spec: WorkloadSpec, settings?: RolloutSettings): Promise<DrainResult> {
  const drain = nodeDrain(t.run.runId);
  // A drain changes no version: the traffic must end where it began (the verdict asks the last answers of `to`).
  const result = await rolloutCheck(t, caseName, title, { ...spec, to: spec.from }, settings, drain);
  const { gaps, problems: gapProblems } = readyGapProblems(result.run, spec.name);
  const problems = [...result.verdict.problems, ...gapProblems];
  const node = drain.node();
  return { ...result, ...(node ? { node } : {}), readyGaps: gaps, problems, ok: result.verdict.ok && gaps.length === 0 };
}

/** The audit's verdict on a drain of `node` under load (lib/checks/under-load.ts): any loss, any stretch without a Ready pod, fails. */
export function drainVerdict(kind: string, name: string, hasBudget: boolean, node: string | undefined, u: UnderLoad): Verdict {
  const loss = lossJudged(u);
  const { gaps, problems: gapProblems } = readyGapProblems(u.run, name);
  const problems = [...(loss.level === 'fail' ? [loss.line] : []), ...gapProblems];
  const evicted = `node ${node ?? '?'} drained, ${u.outcome.oldPodsTotal} pod(s) evicted`;
  const evidence = { node, readyGaps: gaps.map((g) => ({ fromSeconds: g.from / 1000, toSeconds: g.to / 1000 })), ...requestEvidence(u) };
  const base = { check: 'drain', question: DRAIN_QUESTION, evidence, static: budgetWarnings(kind, hasBudget) };
  if (problems.length) return { ...base, verdict: 'fail', summary: `${evicted}: ${problems.join('; ')}` };
  return { ...base, verdict: 'pass', summary: `${evicted}; a Ready pod throughout; ${loss.line}` };
}
