// How the in-cluster generator pod talks back through its log: progress lines while it runs, then the
// ledger record by record (one short line each: CRI splits long lines) between a head and an end line,
// so a truncated log is detected instead of silently yielding a shorter ledger.
import type { RawLedger, RequestRecord } from '../ledger/types.ts';
import type { Progress } from './source.ts';

const PROGRESS = 'WC-PROGRESS ';
const HEAD = 'WC-LEDGER ';
const RECORD = 'WC-R ';
const END = 'WC-END';

export interface ProgressLine {
  /** The pod's own wall clock at its ledger's zero: informative only (axis-clock.ts places the axis). */
  epochMs: number;
  /** The pod's ledger-axis time when it printed this line (its monotonic clock): what axis-clock.ts measures from. */
  atMs: number;
  progress: Progress;
}

export function encodeProgress(line: ProgressLine): string {
  return PROGRESS + JSON.stringify(line);
}

/** The latest progress line in a chunk of log, if any. */
export function lastProgress(log: string): ProgressLine | undefined {
  const lines = log.split('\n').filter((l) => l.startsWith(PROGRESS));
  const last = lines.at(-1);
  return last ? (JSON.parse(last.slice(PROGRESS.length)) as ProgressLine) : undefined;
}

export function* encodeLedger(ledger: RawLedger): Generator<string> {
  yield HEAD + JSON.stringify({ startedAtEpochMs: ledger.startedAtEpochMs, target: ledger.target, count: ledger.records.length,
    ...(ledger.eventLoopBlockedMaxMs !== undefined ? { eventLoopBlockedMaxMs: ledger.eventLoopBlockedMaxMs } : {}) });
  for (const r of ledger.records) yield RECORD + JSON.stringify(r);
  yield END;
}

export function decodeLedger(log: string): RawLedger {
  const lines = log.split('\n');
  const headLine = lines.find((l) => l.startsWith(HEAD));
  if (!headLine) throw new Error('the generator pod printed no ledger (no WC-LEDGER line)');
  const head = JSON.parse(headLine.slice(HEAD.length)) as { startedAtEpochMs: number; target: string; count: number; eventLoopBlockedMaxMs?: number };
  const records = lines.filter((l) => l.startsWith(RECORD)).map((l) => JSON.parse(l.slice(RECORD.length)) as RequestRecord);
  if (!lines.includes(END) || records.length !== head.count) {
    throw new Error(`the generator pod's ledger is incomplete: ${records.length} of ${head.count} records${lines.includes(END) ? '' : ', no WC-END line'}`);
  }
  return { startedAtEpochMs: head.startedAtEpochMs, target: head.target, records,
    ...(head.eventLoopBlockedMaxMs !== undefined ? { eventLoopBlockedMaxMs: head.eventLoopBlockedMaxMs } : {}) };
}
