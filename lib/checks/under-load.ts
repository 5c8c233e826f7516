// A check under load, on a workload already serving behind its Service: the rollout wing's load (in-cluster generator
// pods, every request counted by cause), one disruption, the report files (ledger JSON, SVG timeline, Markdown), and
// what it lost as one verdict part. The audit's deletion, rolling restart and eviction checks each run one.
import type { Place } from '../kit/kube.ts';
import { underLoad, type Disruption, type LoadPlan, type RolloutRun, type UnderLoadTarget } from '../rollout/driver.ts';
import { startPodLoad } from '../rollout/load/pod-source.ts';
import { rolloutOutcome, type RolloutOutcome } from '../rollout/outcome.ts';
import { writeRolloutReport, type RolloutFiles } from '../rollout/report/rollout-files.ts';
import { zeroLossVerdict, type Verdict as ZeroLoss } from '../rollout/verdict.ts';

/** Where the load runs: the namespace (its generator pods go there too), the generator image, the reports directory. */
export interface LoadPlace extends Place {
  apply(file: string, vars: Record<string, string>): Promise<unknown>;
  loadgenImage: string;
  reportsDir: string;
  log(line: string): void;
}

export interface UnderLoad {
  run: RolloutRun;
  outcome: RolloutOutcome;
  zero: ZeroLoss;
  files: RolloutFiles;
  /** The first run's verdict when it was measured once more (its load alone too thin to judge: lib/rollout/verdict.ts). */
  thinFirst?: string;
}

/**
 * Runs `disruption` on `target` under the plan's load, from generator pods in the namespace, through its Service's port;
 * once more when only the load was too thin to judge (nothing lost, every ended pod graceful: the rolling-update
 * behaviour's rule, lib/rollout/observations.ts), the first verdict kept and said.
 */
export async function checkUnderLoad(place: LoadPlace, target: UnderLoadTarget, port: number, plan: LoadPlan, disruption: Disruption,
  caseName: string, title: string, alsoClean: (u: UnderLoad) => boolean = () => true): Promise<UnderLoad> {
  const first = await checkOnce(place, target, port, plan, disruption, caseName, title);
  // `alsoClean`: what else the check judges on the first run must be clean too, or a second run could hide it.
  if (!first.zero.measureAgain || !alsoClean(first)) return first;
  place.log(`[audit] ${target.spec.name}: ${caseName}: ${first.zero.message}`);
  place.log(`[audit] ${target.spec.name}: ${caseName}: only the load was too thin to judge (nothing lost, ended pods graceful): measuring once more`);
  return { ...await checkOnce(place, target, port, plan, disruption, `${caseName}-again`, `${title} (measured once more)`), thinFirst: first.zero.message };
}

async function checkOnce(place: LoadPlace, target: UnderLoadTarget, port: number, plan: LoadPlan, disruption: Disruption,
  caseName: string, title: string): Promise<UnderLoad> {
  const { kube, ns } = place;
  const run = await underLoad({
    kube, ns, log: place.log,
    startLoad: (settings, service) => startPodLoad({ kube, ns, apply: place.apply, image: place.loadgenImage, name: `wc-loadgen-${target.spec.name}` },
      { ...settings, target: `http://${service.name}.${ns}.svc.cluster.local:${port}` }),
  }, target, plan, disruption);
  const outcome = rolloutOutcome(caseName, run);
  const files = await writeRolloutReport(place.reportsDir, title, run, outcome);
  return { run, outcome, zero: zeroLossVerdict(outcome, plan.minRequestsPerMode, run.spec.to.name), files };
}

/** The requests as evidence: per mode sent, failed, by cause, seconds disrupted; the load rule; the report files. */
export function requestEvidence(u: UnderLoad): Record<string, unknown> {
  return {
    requests: Object.fromEntries(Object.entries(u.outcome.byMode).map(([mode, f]) => [mode,
      { sent: f.total, failed: f.failed, failuresByCause: f.failuresByCause, disruptedSeconds: f.disruptionSeconds }])),
    load: Object.fromEntries(Object.entries(u.outcome.load).map(([mode, l]) => [mode,
      { offeredPerSecond: l.offeredPerSecond, achievedPerSecond: l.achievedPerSecond, maxSendGapMs: l.maxSendGapMs, ok: l.ok }])),
    endedPodsGraceful: `${u.outcome.oldPodsGraceful}/${u.outcome.oldPodsTotal}`,
    files: { svg: u.files.svg, md: u.files.md, json: u.files.json },
    ...(u.thinFirst ? { measuredOnceMore: u.thinFirst } : {}),
  };
}

/** One line of what the requests came to: "0 of 4,210 requests lost" or "37 of 4,210 lost (reset 30, refused 7)". */
export function lossLine(u: UnderLoad): string {
  const total = u.outcome.overall.total;
  const failed = u.outcome.overall.failed;
  const causes = Object.entries(u.outcome.overall.failuresByCause).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${failed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} requests lost${failed ? ` (${causes})` : ''}`;
}

/**
 * The container restarts the pods' watch saw while the load ran (an OOM kill, a crash, a probe's kill), as one phrase:
 * "2 container restart(s) under load (app: OOMKilled x2)"; each cut what was on its pod. Empty when none.
 */
export function restartsUnderLoad(u: UnderLoad): string {
  const restarts = u.run.podEvents.filter((e) => e.kind === 'restarted' && e.at >= 0 && e.at <= u.run.phases.loadStoppedAt);
  if (!restarts.length) return '';
  const why = new Map<string, number>();
  for (const e of restarts) why.set(e.detail ?? 'reason not reported', (why.get(e.detail ?? 'reason not reported') ?? 0) + 1);
  return `${restarts.length} container restart(s) under load (${[...why].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join('; ')})`;
}

/**
 * What the load says for the verdict, as the rollout wing's zero-loss verdict reaches it (lib/rollout/verdict.ts): too
 * thin to judge (the generator could not hold its rate: the check cannot pass on it), lost (a request failed, or a pod
 * the disruption ended did not stop gracefully: killed at its grace period's end, cutting whatever it was doing), or
 * nothing lost.
 */
export function lossJudged(u: UnderLoad): { level: 'pass' | 'fail'; line: string } {
  const ended = `${u.outcome.oldPodsGraceful} of ${u.outcome.oldPodsTotal} ended pod(s) stopped gracefully`;
  if (u.zero.kind === 'load-too-thin') {
    // A pod killed at its grace period's end is the kubelet's fact, whatever the load did: said first, the thin load
    // (which leaves the requests unjudged) beside it.
    const killed = u.outcome.oldPodsGraceful < u.outcome.oldPodsTotal ? `${ended}; ` : '';
    return { level: 'fail', line: `${killed}the load was too thin to judge (${u.zero.problems.join('; ')})` };
  }
  if (u.zero.kind === 'lost') {
    const spans = Object.entries(u.outcome.failedSpan ?? {}).map(([mode, [from, to]]) => `${mode} ${(from / 1000).toFixed(1)}-${(to / 1000).toFixed(1)} s`);
    const restarts = restartsUnderLoad(u);
    return { level: 'fail', line: `${lossLine(u)}${spans.length ? `, failed from ${spans.join(', ')} after the load started` : ''}; ${ended}` +
      `${restarts ? `; ${restarts}` : ''}` };
  }
  return { level: 'pass', line: `${lossLine(u)}; ${ended}${u.thinFirst ? ' (measured once more: the first load was too thin to judge)' : ''}` };
}
