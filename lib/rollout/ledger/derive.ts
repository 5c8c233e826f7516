// Figures derived from a ledger. Records may arrive in any order (requests complete out of order,
// and the in-cluster generator's records are concatenated per worker), so nothing here assumes sorting.
import { mergeIntervals, unionLength, type Interval } from './intervals.ts';
import { percentile } from './percentiles.ts';
import { isFailure, type ConnectionMode, type RequestRecord } from './types.ts';

export interface Figures {
  total: number;
  failed: number;
  /** keepalive-retry-idempotent: requests retried once after a reset on a reused connection (retry.ts). */
  retried: number;
  /** Failures by cause: error kinds, or `http-<status>` for non-2xx answers. */
  failuresByCause: Record<string, number>;
  /** Length of the union of [start, end] of every failed request, in seconds. */
  disruptionSeconds: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Completed requests per second over the span from first start to last end. */
  ratePerSecond: number;
  spanSeconds: number;
  /** Answers per version (unidentified answers under `unknown`). */
  answersByVersion: Record<string, number>;
}

export interface VersionBucket {
  /** Bucket start, ms since the ledger epoch. */
  t: number;
  byVersion: Record<string, number>;
  failed: number;
}

export const UNKNOWN_VERSION = 'unknown';

/** Microsecond rounding: float subtraction noise (0.6509999999998399) is not information. */
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The failure's cause as counted: the error kind (a timeout with its stage, e.g. `timeout-connect`), or `http-<status>`. */
function causeOf(r: RequestRecord): string {
  if (r.error === 'timeout' && r.timedOutIn) return `timeout-${r.timedOutIn}`;
  return r.error ?? `http-${r.status ?? 'none'}`;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function deriveFigures(records: readonly RequestRecord[]): Figures {
  const failures = records.filter(isFailure);
  const failuresByCause: Record<string, number> = {};
  for (const r of failures) increment(failuresByCause, causeOf(r));
  const answersByVersion: Record<string, number> = {};
  for (const r of records) if (!isFailure(r)) increment(answersByVersion, r.version ?? UNKNOWN_VERSION);

  const latencies = records.map((r) => round3(r.end - r.start)).sort((a, b) => a - b);
  // Loops, not Math.min(...spread): ledgers hold tens of thousands of records.
  let firstStart = Infinity;
  let lastEnd = -Infinity;
  for (const r of records) {
    firstStart = Math.min(firstStart, r.start);
    lastEnd = Math.max(lastEnd, r.end);
  }
  const spanSeconds = records.length ? (lastEnd - firstStart) / 1000 : 0;
  return {
    total: records.length,
    failed: failures.length,
    retried: records.filter((r) => r.retried).length,
    failuresByCause,
    disruptionSeconds: round3(unionLength(failures.map((r): Interval => [r.start, r.end])) / 1000),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    ratePerSecond: spanSeconds > 0 ? round3(records.length / spanSeconds) : 0,
    spanSeconds: round3(spanSeconds),
    answersByVersion,
  };
}

/** Merged failure intervals, for marking failures on the timeline. */
export function failureIntervals(records: readonly RequestRecord[]): Interval[] {
  return mergeIntervals(records.filter(isFailure).map((r): Interval => [r.start, r.end]));
}

/**
 * Completed requests per time bucket (by completion time, the moment the answering version is known),
 * split by version; failures are counted separately. Empty buckets inside the span are kept so a gap
 * in traffic shows as a gap.
 */
export function versionTimeline(records: readonly RequestRecord[], bucketMs = 1000): VersionBucket[] {
  if (records.length === 0) return [];
  const index = (r: RequestRecord): number => Math.floor(r.end / bucketMs);
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, index(r));
    last = Math.max(last, index(r));
  }
  const buckets: VersionBucket[] = [];
  for (let i = first; i <= last; i++) buckets.push({ t: i * bucketMs, byVersion: {}, failed: 0 });
  for (const r of records) {
    const bucket = buckets[index(r) - first]!;
    if (isFailure(r)) bucket.failed++;
    else increment(bucket.byVersion, r.version ?? UNKNOWN_VERSION);
  }
  return buckets;
}

export function byMode(records: readonly RequestRecord[]): Map<ConnectionMode, RequestRecord[]> {
  const groups = new Map<ConnectionMode, RequestRecord[]>();
  for (const r of records) {
    const group = groups.get(r.mode) ?? [];
    group.push(r);
    groups.set(r.mode, group);
  }
  return groups;
}

/**
 * The last `n` requests (by start time) of a mode all answered by `version`: "at the end every answer
 * comes from the new version". Fewer than `n` requests never qualifies.
 */
export function tailAnsweredBy(records: readonly RequestRecord[], version: string, n: number): boolean {
  if (records.length < n) return false;
  const tail = [...records].sort((a, b) => a.start - b.start).slice(-n);
  return tail.every((r) => !isFailure(r) && r.version === version);
}

/** Latest completion of a successful answer from `version` (ms since epoch), or undefined. */
export function lastAnswerFrom(records: readonly RequestRecord[], version: string): number | undefined {
  let last: number | undefined;
  for (const r of records) {
    if (!isFailure(r) && r.version === version && (last === undefined || r.end > last)) last = r.end;
  }
  return last;
}
