// What a rollout run amounts to: the derived figures per connection mode and overall, whether every
// mode ended on the new version, whether every old pod terminated gracefully — and one line of counts
// that failure messages (and so JUnit) carry.
import { byMode, deriveFigures, failureIntervals, tailAnsweredBy, versionTimeline, type Figures, type VersionBucket } from './ledger/derive.ts';
import type { Interval } from './ledger/intervals.ts';
import type { ConnectionMode, GeneratorPart } from './ledger/types.ts';
import type { RolloutRun } from './driver.ts';
import { judgeShared, type ModeLoad } from './load-rule.ts';

export interface RolloutOutcome {
  case: string;
  /** What was done under load (driver.ts Disruption.describe): its words name the figures in the counts line. */
  disruption?: string;
  overall: Figures;
  byMode: Partial<Record<ConnectionMode, Figures>>;
  /** Per mode, whether its last answers came from the end version; empty when answers name no pod (not judged). */
  endsOnNewVersion: Partial<Record<ConnectionMode, boolean>>;
  /** The load rule per mode over the rollout window (load-rule.ts). */
  load: Partial<Record<ConnectionMode, ModeLoad>>;
  /** The longest the generator's event loop was blocked, ms (absent when not measured). */
  generatorBlockedMaxMs?: number;
  /** The nice value of the generator's thread, when raised (absent: the default priority). */
  generatorNice?: number;
  /** The in-cluster generator pods: where each ran and how its ledger's axis was placed on the harness' clock. */
  generators?: Array<Pick<GeneratorPart, 'name' | 'startedAtEpochMs' | 'clock'> & Partial<GeneratorPart>>;
  /** Modes the plan asked for that recorded no request at all. */
  modesWithoutRecords: ConnectionMode[];
  /** From the patch to the moment the last old pod was gone, seconds. */
  rolloutSeconds: number;
  oldPodsGraceful: number;
  oldPodsTotal: number;
  timeline: VersionBucket[];
  failures: Interval[];
  /** Per mode with failures: when the first failed request started and the last one ended (ms on the ledger's axis). */
  failedSpan?: Partial<Record<ConnectionMode, Interval>>;
  /** The run's moments, in seconds after the load started, for reading beside the failures (`momentsLine`). */
  moments?: string;
}

export const TIMELINE_BUCKET_MS = 1000;

export function rolloutOutcome(caseName: string, run: RolloutRun): RolloutOutcome {
  const records = run.ledger.records;
  const modes: RolloutOutcome['byMode'] = {};
  const ends: RolloutOutcome['endsOnNewVersion'] = {};
  const load: RolloutOutcome['load'] = {};
  const rule = { offeredPerSecond: run.plan.ratePerSecond, maxSendGapMs: run.plan.maxSendGapMs };
  const failedSpan: RolloutOutcome['failedSpan'] = {};
  const groups = byMode(records);
  for (const [mode, group] of groups) {
    modes[mode] = deriveFigures(group);
    const failed = failureIntervals(group);
    if (failed.length) failedSpan[mode] = [failed[0]![0], failed.at(-1)![1]];
    // Only answers that name their pod tell a version (RolloutRun.attributed); the others are judged by failures alone.
    if (run.attributed !== false) ends[mode] = tailAnsweredBy(group, run.spec.to.name, run.plan.movedTailSize);
    load[mode] = judgeShared(group, run.phases.windowStartAt, run.phases.windowEndAt, rule, mode, run.ledger.generators);
  }
  return {
    case: caseName,
    disruption: run.disruption,
    overall: deriveFigures(records),
    byMode: modes,
    endsOnNewVersion: ends,
    load,
    modesWithoutRecords: run.plan.modes.filter((m) => !groups.has(m)),
    ...(run.ledger.eventLoopBlockedMaxMs !== undefined ? { generatorBlockedMaxMs: run.ledger.eventLoopBlockedMaxMs } : {}),
    ...(run.ledger.generatorNice !== undefined ? { generatorNice: run.ledger.generatorNice } : {}),
    ...(run.ledger.generators ? { generators: run.ledger.generators }
      : run.ledger.clock ? { generators: [{ name: 'wc-loadgen', startedAtEpochMs: run.ledger.startedAtEpochMs, clock: run.ledger.clock }] } : {}),
    rolloutSeconds: Math.round(run.phases.oldPodsGoneAt - run.phases.patchedAt) / 1000,
    oldPodsGraceful: run.oldPods.filter((p) => p.graceful).length,
    oldPodsTotal: run.oldPods.length,
    timeline: versionTimeline(records, TIMELINE_BUCKET_MS),
    failures: failureIntervals(records),
    failedSpan,
    moments: momentsLine(run),
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * What happened when, in seconds after the load started: the phases, the old pods' exits, and any pod that
 * turned not ready without terminating (a serving pod leaving the Service's endpoints). A failure message
 * carries it, so a loss seen only in a CI log can still be placed against the rollout.
 */
export function momentsLine(run: Pick<RolloutRun, 'phases' | 'podEvents' | 'spec'>): string {
  const p = run.phases;
  const exits = run.podEvents.filter((e) => e.kind === 'exited' && e.version === run.spec.from.name).map((e) => seconds(e.at));
  const terminating = new Set<string>();
  const notReady: string[] = [];
  for (const e of [...run.podEvents].sort((a, b) => a.at - b.at)) {
    if (e.kind === 'terminating' || e.kind === 'exited') terminating.add(e.pod);
    else if (e.kind === 'not-ready' && !terminating.has(e.pod)) notReady.push(`${e.pod} at ${seconds(e.at)}`);
  }
  return `patched ${seconds(p.patchedAt)}, rolled out ${seconds(p.rolledOutAt)}, old pods exited ${exits.join(' / ') || 'never'}, ` +
    `last old pod gone ${seconds(p.oldPodsGoneAt)}, load stopped ${seconds(p.loadStoppedAt)}; ` +
    `pods not ready while not terminating: ${notReady.join(', ') || 'none'}`;
}

const n = (x: number) => x.toLocaleString('en-US');

export function modeLine(mode: string, f: Figures, load?: ModeLoad): string {
  const retried = f.retried ? `, ${n(f.retried)} retried` : '';
  const window = load ? `; rollout window: ${n(load.sentInWindow)} sent, ${load.achievedPerSecond} of ${load.offeredPerSecond} req/s, max send gap ${load.maxSendGapMs} ms` : '';
  return `${mode}: ${n(f.failed)} of ${n(f.total)} failed${retried}, ${f.disruptionSeconds} s disrupted, ${f.ratePerSecond.toFixed(1)} req/s${window}`;
}

/** One line with every count that matters, for failure messages and logs. */
export function countsLine(o: RolloutOutcome): string {
  const modes = Object.entries(o.byMode).map(([mode, f]) => modeLine(mode, f, o.load[mode as ConnectionMode]));
  const ends = Object.entries(o.endsOnNewVersion).map(([mode, ok]) => `${mode} ${ok ? 'yes' : 'NO'}`).join(', ') || 'not judged (answers name no pod)';
  if (o.disruption === 'node drain') {
    return `${modes.join('; ')}; drain ${o.rolloutSeconds} s; evicted pods graceful ${o.oldPodsGraceful}/${o.oldPodsTotal}; ends served: ${ends}`;
  }
  return `${modes.join('; ')}; rollout ${o.rolloutSeconds} s; old pods graceful ${o.oldPodsGraceful}/${o.oldPodsTotal}; ends on new version: ${ends}`;
}
