// The drain check: a workload drained off a node under load loses no request (the rollout wing's zero-loss verdict,
// every request counted by cause) and never stands without a Ready pod while it happens.
import type { TestNamespace } from '../kit/fixture.ts';
import type { PodEvent } from '../kit/pod-observer.ts';
import { rolloutCheck, type CheckResult } from '../rollout/check.ts';
import { nodeDrain } from '../rollout/drain.ts';
import type { RolloutSettings } from '../run/config-rollout.ts';
import type { WorkloadSpec } from '../rollout/spec.ts';

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
    else if (e.kind === 'not-ready' || e.kind === 'terminating' || e.kind === 'exited' || e.kind === 'deleted') ready.delete(e.pod);
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

/** Drains the node holding most of `spec`'s pods under load, and judges it (see the file's head). */
export async function drainCheck(t: TestNamespace, caseName: string, title: string, spec: WorkloadSpec, settings?: RolloutSettings): Promise<DrainResult> {
  const drain = nodeDrain(t.run.runId);
  // A drain changes no version: the traffic must end where it began (the verdict asks the last answers of `to`).
  const result = await rolloutCheck(t, caseName, title, { ...spec, to: spec.from }, settings, drain);
  const { phases } = result.run;
  const gaps = readyGaps(result.run.podEvents, phases.windowStartAt, phases.windowEndAt);
  const problems = [...result.verdict.problems,
    ...gaps.map((g) => `no Ready pod of ${spec.name} from ${(g.from / 1000).toFixed(1)} to ${(g.to / 1000).toFixed(1)} s`)];
  const node = drain.node();
  return { ...result, ...(node ? { node } : {}), readyGaps: gaps, problems, ok: result.verdict.ok && gaps.length === 0 };
}
