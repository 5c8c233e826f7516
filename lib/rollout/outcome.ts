// What a rollout run amounts to: the derived figures per connection mode and overall, whether every
// mode ended on the new version, whether every old pod terminated gracefully — and one line of counts
// that failure messages (and so JUnit) carry.
import { byMode, deriveFigures, failureIntervals, tailAnsweredBy, versionTimeline, type Figures, type VersionBucket } from './ledger/derive.ts';
import type { Interval } from './ledger/intervals.ts';
import type { ConnectionMode } from './ledger/types.ts';
import type { RolloutRun } from './driver.ts';

export interface RolloutOutcome {
  case: string;
  overall: Figures;
  byMode: Partial<Record<ConnectionMode, Figures>>;
  endsOnNewVersion: Partial<Record<ConnectionMode, boolean>>;
  /** From the patch to the moment the last old pod was gone, seconds. */
  rolloutSeconds: number;
  oldPodsGraceful: number;
  oldPodsTotal: number;
  timeline: VersionBucket[];
  failures: Interval[];
}

export const TIMELINE_BUCKET_MS = 1000;

export function rolloutOutcome(caseName: string, run: RolloutRun): RolloutOutcome {
  const records = run.ledger.records;
  const modes: RolloutOutcome['byMode'] = {};
  const ends: RolloutOutcome['endsOnNewVersion'] = {};
  for (const [mode, group] of byMode(records)) {
    modes[mode] = deriveFigures(group);
    ends[mode] = tailAnsweredBy(group, run.spec.to.name, run.plan.movedTailSize);
  }
  return {
    case: caseName,
    overall: deriveFigures(records),
    byMode: modes,
    endsOnNewVersion: ends,
    rolloutSeconds: Math.round(run.phases.oldPodsGoneAt - run.phases.patchedAt) / 1000,
    oldPodsGraceful: run.oldPods.filter((p) => p.graceful).length,
    oldPodsTotal: run.oldPods.length,
    timeline: versionTimeline(records, TIMELINE_BUCKET_MS),
    failures: failureIntervals(records),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function modeLine(mode: string, f: Figures): string {
  return `${mode}: ${n(f.failed)} of ${n(f.total)} failed, ${f.disruptionSeconds} s disrupted, ${f.ratePerSecond.toFixed(1)} req/s`;
}

/** One line with every count that matters, for failure messages and logs. */
export function countsLine(o: RolloutOutcome): string {
  const modes = Object.entries(o.byMode).map(([mode, f]) => modeLine(mode, f));
  const ends = Object.entries(o.endsOnNewVersion).map(([mode, ok]) => `${mode} ${ok ? 'yes' : 'NO'}`).join(', ');
  return `${modes.join('; ')}; rollout ${o.rolloutSeconds} s; old pods graceful ${o.oldPodsGraceful}/${o.oldPodsTotal}; ends on new version: ${ends}`;
}
