// Disruption is measured as the union of failure intervals: overlapping failures from concurrent
// requests must not be counted twice, and gaps between them must not be counted at all.

export type Interval = readonly [start: number, end: number];

/** Merges overlapping or touching intervals; input order does not matter. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals
    .map(([a, b]): Interval => (a <= b ? [a, b] : [b, a]))
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function unionLength(intervals: readonly Interval[]): number {
  return mergeIntervals(intervals).reduce((sum, [a, b]) => sum + (b - a), 0);
}
