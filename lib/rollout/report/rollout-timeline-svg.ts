// The rollout picture: requests per second by answering version (stacked bars, failures in red on top
// and as red bands), the pods' lanes (starting / ready / draining / exited) and the rollout's phase
// markers, all on one time axis in seconds since the load started.
import type { Interval } from '../ledger/intervals.ts';
import type { VersionBucket } from '../ledger/derive.ts';
import type { LanePhase, PodLane } from './pod-lanes.ts';
import { el, linear, text, ticks } from './svg.ts';

export interface TimelineMarker {
  at: number;
  label: string;
}

export interface TimelineInput {
  title: string;
  subtitle: string;
  /** Versions in rollout order: the first is drawn at the bottom of each bar. */
  versions: string[];
  /** False when answers name no pod (an audit of a workload the harness did not write): they are all drawn grey. */
  attributed?: boolean;
  buckets: VersionBucket[];
  bucketMs: number;
  failures: Interval[];
  lanes: PodLane[];
  markers: TimelineMarker[];
  /** Visible span on the ledger axis, ms. */
  startAt: number;
  endAt: number;
}

const WIDTH = 1200;
const MARKER_ROW = 11;
// A drain marks its cordon and each eviction (granted or refused) within seconds of each other, beside the phases.
const MARKER_ROWS = 5;
/** Rough width of a marker label's character at 10.5 px, to keep labels from overlapping. */
const MARKER_CHAR = 5.6;
const LEFT = 190;
const RIGHT = 30;
const TOP = 78;
const RATE_HEIGHT = 230;
const STRIP = 16;
const LANE = 20;
const FAILED = '#d62728';
const VERSION_COLOURS = ['#4e79a7', '#59a14f', '#b07aa1', '#76b7b2'];
const UNKNOWN = '#9d9d9d';
const PHASE_COLOUR: Record<LanePhase, string> = {
  starting: '#dbe4ee',
  ready: '', // the version's colour
  'not-ready': '#f1d77e',
  draining: '#f28e2b',
  exited: '#cfcfcf',
};

export function versionColour(versions: readonly string[], version: string | undefined): string {
  const i = version === undefined ? -1 : versions.indexOf(version);
  return i < 0 ? UNKNOWN : VERSION_COLOURS[i % VERSION_COLOURS.length]!;
}

/** The lane label: pods are long (web-6d9f7c8b5-x2k9q); the ReplicaSet hash and suffix identify them. */
export function shortPodName(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(-2).join('-') : pod;
}

export interface PlacedMarker {
  marker: TimelineMarker;
  x: number;
  row: number;
  anchor: 'start' | 'end';
}

/**
 * Puts each marker label on the first row where it overlaps no earlier label (markers cluster: the
 * rollout completes, the last old pod goes and traffic moves within a second or two). Labels near the
 * right edge extend to the left of their line so they are not cut off.
 */
export function layoutMarkers(markers: readonly TimelineMarker[], x: (t: number) => number): PlacedMarker[] {
  const rowsEnd: number[][] = Array.from({ length: MARKER_ROWS }, () => []);
  return [...markers].sort((a, b) => a.at - b.at).map((marker) => {
    const mx = x(marker.at);
    const width = marker.label.length * MARKER_CHAR + 6;
    const anchor = mx + width > WIDTH - RIGHT / 2 ? 'end' : 'start';
    const [from, to] = anchor === 'start' ? [mx, mx + width] : [mx - width, mx];
    const free = rowsEnd.findIndex((spans) => spans.every((e) => e < from));
    // Every row taken: the one whose last label ends first, so the overlap is the least.
    const row = free >= 0 ? free : rowsEnd.reduce((best, spans, i) => Math.max(...spans) < Math.max(...rowsEnd[best]!) ? i : best, 0);
    rowsEnd[row]!.push(to);
    return { marker, x: mx, row, anchor };
  });
}

export function timelineSvg(input: TimelineInput): string {
  const lanesTop = TOP + RATE_HEIGHT + STRIP + 16 + MARKER_ROWS * MARKER_ROW;
  const lanesHeight = Math.max(1, input.lanes.length) * LANE;
  const axisY = lanesTop + lanesHeight + 8;
  const height = axisY + 44;
  const x = linear([input.startAt, input.endAt], [LEFT, WIDTH - RIGHT]);
  const clampX = (t: number) => x(Math.min(input.endAt, Math.max(input.startAt, t)));
  const perSecond = 1000 / input.bucketMs;
  const totals = input.buckets.map((b) => (Object.values(b.byVersion).reduce((s, n) => s + n, 0) + b.failed) * perSecond);
  const yMax = Math.max(1, ...totals) * 1.1;
  const y = linear([0, yMax], [TOP + RATE_HEIGHT, TOP]);
  const parts: string[] = [];

  parts.push(el('rect', { x: 0, y: 0, width: WIDTH, height, fill: '#ffffff' }));
  parts.push(text({ x: 16, y: 26, 'font-size': 18, 'font-weight': 'bold' }, input.title));
  parts.push(text({ x: 16, y: 46, 'font-size': 13, fill: '#444' }, input.subtitle));

  // Legend.
  const legend: [string, string][] = [
    ...(input.attributed === false
      ? [[UNKNOWN, 'answered (answers name no pod)'] as [string, string], ...input.versions.map((v): [string, string] => [versionColour(input.versions, v), `pod of ${v}`])]
      : input.versions.map((v): [string, string] => [versionColour(input.versions, v), `answered by ${v}`])),
    [FAILED, 'failed'],
    [PHASE_COLOUR.starting, 'pod starting'],
    [PHASE_COLOUR['not-ready'], 'not ready'],
    [PHASE_COLOUR.draining, 'pod terminating (draining)'],
    [PHASE_COLOUR.exited, 'container exited'],
  ];
  let lx = LEFT;
  for (const [colour, label] of legend) {
    parts.push(el('rect', { x: lx, y: 56, width: 12, height: 12, fill: colour, stroke: '#888', 'stroke-width': 0.5 }));
    parts.push(text({ x: lx + 16, y: 66, 'font-size': 12 }, label));
    lx += 30 + label.length * 6;
  }

  // Rate panel: gridlines and y axis.
  for (const t of ticks(0, yMax, 5)) {
    parts.push(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(t), y2: y(t), stroke: '#eee' }));
    parts.push(text({ x: LEFT - 6, y: y(t) + 4, 'font-size': 11, 'text-anchor': 'end', fill: '#555' }, String(t)));
  }
  parts.push(text({ x: 16, y: TOP + RATE_HEIGHT / 2, 'font-size': 12, fill: '#333' }, 'requests / s'));

  // Stacked bars: versions in rollout order, then unknown answers, then failures.
  const barWidth = Math.max(1, x(input.startAt + input.bucketMs) - x(input.startAt) - 1);
  for (const b of input.buckets) {
    if (b.t + input.bucketMs <= input.startAt || b.t >= input.endAt) continue;
    const stack: [string, number][] = [
      ...input.versions.map((v): [string, number] => [versionColour(input.versions, v), b.byVersion[v] ?? 0]),
      ...Object.entries(b.byVersion).filter(([v]) => !input.versions.includes(v)).map(([, n]): [string, number] => [UNKNOWN, n]),
      [FAILED, b.failed],
    ];
    let base = 0;
    for (const [colour, n] of stack) {
      if (n === 0) continue;
      const top = base + n * perSecond;
      parts.push(el('rect', { x: clampX(b.t) + 0.5, y: y(top), width: barWidth, height: y(base) - y(top), fill: colour }));
      base = top;
    }
  }

  // Failure bands over the bars (translucent), at least 2 px wide so a single failed request stays visible.
  for (const [a, b] of input.failures) {
    const w = Math.max(2, clampX(b) - clampX(a));
    parts.push(el('rect', { x: clampX(a), y: TOP, width: w, height: RATE_HEIGHT, fill: FAILED, opacity: 0.25 }));
    parts.push(el('rect', { x: clampX(a), y: TOP + RATE_HEIGHT + 4, width: w, height: STRIP - 6, fill: FAILED }));
  }
  parts.push(text({ x: LEFT - 6, y: TOP + RATE_HEIGHT + 14, 'font-size': 11, 'text-anchor': 'end', fill: FAILED }, 'failures'));

  // Pod lanes.
  parts.push(text({ x: 16, y: lanesTop - 10, 'font-size': 12, fill: '#333' }, 'pods'));
  input.lanes.forEach((lane, i) => {
    const ly = lanesTop + i * LANE;
    if (i % 2 === 0) parts.push(el('rect', { x: LEFT, y: ly, width: WIDTH - RIGHT - LEFT, height: LANE, fill: '#fafafa' }));
    const colour = versionColour(input.versions, lane.version);
    parts.push(el('rect', { x: 16, y: ly + 5, width: 10, height: 10, fill: colour }));
    // A controller's hash as the version is already in the pod's name: said once.
    const short = shortPodName(lane.pod);
    parts.push(text({ x: 32, y: ly + 14, 'font-size': 12, 'font-family': 'monospace' },
      lane.version && short.startsWith(`${lane.version}-`) ? short : `${lane.version ?? '?'} ${short}`));
    for (const s of lane.segments) {
      if (s.to < input.startAt || s.from > input.endAt) continue;
      const fill = s.phase === 'ready' ? colour : PHASE_COLOUR[s.phase];
      parts.push(el('rect', { x: clampX(s.from), y: ly + 3, width: Math.max(1, clampX(s.to) - clampX(s.from)), height: LANE - 6, fill }));
    }
    if (lane.exit && lane.exit.at >= input.startAt && lane.exit.at <= input.endAt) {
      parts.push(text({ x: clampX(lane.exit.at) + 4, y: ly + 14, 'font-size': 11, fill: '#333' }, lane.exit.detail ?? 'exited'));
    }
  });

  // Phase markers across both panels; labels staggered so neighbours do not overlap.
  for (const { marker, x: mx, row, anchor } of layoutMarkers(input.markers.filter((m) => m.at >= input.startAt && m.at <= input.endAt), x)) {
    parts.push(el('line', { x1: mx, x2: mx, y1: TOP - 2, y2: axisY, stroke: '#333', 'stroke-dasharray': '4 3', 'stroke-width': 1 }));
    const ly = TOP + RATE_HEIGHT + STRIP + 12 + row * MARKER_ROW;
    parts.push(text({ x: anchor === 'end' ? mx - 3 : mx + 3, y: ly, 'font-size': 10.5, fill: '#222', 'text-anchor': anchor }, marker.label));
  }

  // Time axis in seconds.
  parts.push(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY, stroke: '#333' }));
  for (const t of ticks(input.startAt / 1000, input.endAt / 1000, 12)) {
    parts.push(el('line', { x1: x(t * 1000), x2: x(t * 1000), y1: axisY, y2: axisY + 5, stroke: '#333' }));
    parts.push(text({ x: x(t * 1000), y: axisY + 18, 'font-size': 11, 'text-anchor': 'middle' }, String(t)));
  }
  parts.push(text({ x: (LEFT + WIDTH - RIGHT) / 2, y: axisY + 36, 'font-size': 12, 'text-anchor': 'middle' }, 'seconds since the load started'));

  return el('svg', { xmlns: 'http://www.w3.org/2000/svg', width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, 'font-family': 'sans-serif' }, ...parts);
}
