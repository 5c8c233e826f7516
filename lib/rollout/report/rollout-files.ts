// Writes a rollout check's artefacts: reports/rollout-<case>.json (the ledger with everything derived
// from it), .svg (the timeline) and .md (the summary, also appended to GitHub's step summary).
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RolloutRun } from '../driver.ts';
import type { RolloutOutcome } from '../outcome.ts';
import { podLanes } from './pod-lanes.ts';
import { rolloutMarkdown } from './rollout-markdown.ts';
import { timelineSvg, type TimelineMarker } from './rollout-timeline-svg.ts';
import { TIMELINE_BUCKET_MS } from '../outcome.ts';

export interface RolloutFiles {
  json: string;
  svg: string;
  md: string;
}

/** The phases, and the disruption's own moments (a drain's cordon, each eviction granted or refused), as markers. */
export function phaseMarkers(run: RolloutRun): TimelineMarker[] {
  const p = run.phases;
  const drain = run.disruption === 'node drain';
  // A drain, an eviction or a deletion changes no version: its own marks say when it acted.
  const sameVersion = run.spec.from.name === run.spec.to.name;
  return [
    ...(sameVersion ? [] : [{ at: p.patchedAt, label: `patched to ${run.spec.to.name}` }]),
    ...(run.marks ?? []),
    { at: p.rolledOutAt, label: sameVersion ? 'replicas available again' : 'rollout complete' },
    { at: p.oldPodsGoneAt, label: drain ? 'last evicted pod gone' : sameVersion ? 'last ended pod gone' : `last ${run.spec.from.name} pod gone` },
    ...(p.trafficMovedAt !== undefined && !sameVersion ? [{ at: p.trafficMovedAt, label: 'traffic moved' }] : []),
  ].sort((a, b) => a.at - b.at);
}

export async function writeRolloutReport(reportsDir: string, title: string, run: RolloutRun, outcome: RolloutOutcome): Promise<RolloutFiles> {
  await mkdir(reportsDir, { recursive: true });
  const base = path.join(reportsDir, `rollout-${outcome.case}`);
  const files = { json: `${base}.json`, svg: `${base}.svg`, md: `${base}.md` };
  const { records, ...ledgerHead } = run.ledger;
  const endAt = Math.max(run.phases.loadStoppedAt, ...outcome.timeline.map((b) => b.t + TIMELINE_BUCKET_MS));
  const { timeline, failures, ...figures } = outcome;

  await writeFile(files.json, JSON.stringify({
    ...ledgerHead,
    ...figures,
    loadWhere: run.loadWhere,
    workload: run.spec,
    plan: run.plan,
    disruption: run.disruption,
    phases: run.phases,
    marks: run.marks,
    oldPods: run.oldPods,
    podEvents: run.podEvents,
    failureIntervals: failures,
    versionTimeline: timeline,
    records,
  }));

  const f = outcome.overall;
  await writeFile(files.svg, timelineSvg({
    title,
    subtitle: `${run.spec.from.name === run.spec.to.name ? `${run.disruption}, ${run.spec.from.name}` : `${run.spec.from.name} → ${run.spec.to.name}`} · ${f.total.toLocaleString('en-US')} requests, ` +
      `${f.failed.toLocaleString('en-US')} failed, ${f.disruptionSeconds} s disrupted · ${run.disruption} ${outcome.rolloutSeconds} s · ` +
      `modes: ${Object.keys(outcome.byMode).join(' + ')} · load from ${run.loadWhere}`,
    // One version when nothing changes it (a drain): each is a colour and a stack layer, so never twice.
    versions: [...new Set([run.spec.from.name, run.spec.to.name])],
    attributed: run.attributed !== false,
    buckets: timeline,
    bucketMs: TIMELINE_BUCKET_MS,
    failures,
    lanes: podLanes(run.podEvents, endAt),
    markers: phaseMarkers(run),
    startAt: 0,
    endAt,
  }));

  const md = rolloutMarkdown({
    outcome, title, from: run.spec.from.name, to: run.spec.to.name, loadWhere: run.loadWhere, target: run.ledger.target,
    oldPods: run.oldPods, files: { json: path.basename(files.json), svg: path.basename(files.svg) },
    ...(run.disruption === 'node drain' ? { drain: { marks: run.marks } } : {}),
  });
  await writeFile(files.md, md);
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, `${md}\n`);
  return files;
}
