// Summarises a growing ledger for the driver (and, in the in-cluster path, for the progress lines the
// generator pod prints): per mode, totals and the answers of the last requests. Called ten times a second
// while tens of thousands of records pile up, in the process that also generates the load, so it is one
// pass without sorting the ledger: records are appended as requests complete, so the last requests by
// start time are among the last few hundred appended (at most `concurrency` can complete out of order).
import type { ConnectionMode, RequestRecord } from '../ledger/types.ts';
import { isFailure } from '../ledger/types.ts';
import type { Progress } from './source.ts';

export const TAIL_SIZE = 100;
/** How far back from the end to look for the latest starts: beyond any concurrency the load uses. */
const LOOK_BACK = 1024;

export function progressOf(records: readonly RequestRecord[], tailSize = TAIL_SIZE): Progress {
  const progress: Progress = {};
  const recent = new Map<ConnectionMode, RequestRecord[]>();
  const from = Math.max(0, records.length - LOOK_BACK - tailSize);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const p = progress[r.mode] ?? (progress[r.mode] = { total: 0, failed: 0, tail: [] });
    p.total++;
    if (isFailure(r)) p.failed++;
    if (i >= from) {
      const list = recent.get(r.mode) ?? [];
      list.push(r);
      recent.set(r.mode, list);
    }
  }
  for (const [mode, list] of recent) {
    const tail = list.sort((a, b) => a.start - b.start).slice(-tailSize);
    progress[mode]!.tail = tail.map((r) => (isFailure(r) ? null : (r.answer ?? '')));
    // Whole ms keep the in-cluster generator's progress lines short; enough to interleave several generators' tails.
    progress[mode]!.tailStarts = tail.map((r) => Math.round(r.start));
  }
  return progress;
}
