// "Traffic has moved": in every connection mode, the most recent requests all succeeded and were all
// answered by the new version. Answers are pod names or version strings; the resolver maps them.
import type { Progress } from './load/source.ts';

export function trafficMoved(progress: Progress, newVersion: string, versionOf: (answer: string) => string | undefined, tailSize: number): boolean {
  const modes = Object.values(progress);
  return modes.length > 0 && modes.every((p) =>
    p.tail.length >= tailSize && p.tail.every((answer) => answer !== null && versionOf(answer) === newVersion));
}

export function minTotal(progress: Progress): number {
  const totals = Object.values(progress).map((p) => p.total);
  return totals.length ? Math.min(...totals) : 0;
}

export function describeProgress(progress: Progress): string {
  return Object.entries(progress).map(([mode, p]) => `${mode}: ${p.total} sent, ${p.failed} failed`).join('; ');
}
