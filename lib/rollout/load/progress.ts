// Summarises a growing ledger for the driver (and, in the in-cluster path, for the progress lines the
// generator pod prints): per mode, totals and the answers of the last requests.
import { byMode } from '../ledger/derive.ts';
import { isFailure, type RequestRecord } from '../ledger/types.ts';
import type { Progress } from './source.ts';

export const TAIL_SIZE = 100;

export function progressOf(records: readonly RequestRecord[], tailSize = TAIL_SIZE): Progress {
  const progress: Progress = {};
  for (const [mode, group] of byMode(records)) {
    const tail = [...group]
      .sort((a, b) => a.start - b.start)
      .slice(-tailSize)
      .map((r) => (isFailure(r) ? null : (r.answer ?? '')));
    progress[mode] = { total: group.length, failed: group.filter(isFailure).length, tail };
  }
  return progress;
}
