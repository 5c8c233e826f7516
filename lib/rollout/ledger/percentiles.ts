/**
 * Nearest-rank percentile (no interpolation), so every reported latency is one a real request had.
 * `sortedAscending` must be sorted; returns 0 for an empty list.
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1]!;
}
