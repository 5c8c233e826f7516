// Collects records while the load runs. Times come from the monotonic high-resolution clock, anchored
// once to wall time so pod events (wall-clock timestamps from the API) share the same axis.
import { performance } from 'node:perf_hooks';
import type { RawLedger, RequestRecord } from './types.ts';

export class Recorder {
  readonly startedAtEpochMs: number;
  readonly records: RequestRecord[] = [];
  readonly target: string;
  private readonly origin: number;

  constructor(target: string) {
    this.target = target;
    this.origin = performance.now();
    this.startedAtEpochMs = performance.timeOrigin + this.origin;
  }

  /** Milliseconds since this ledger's epoch, rounded to microseconds to keep the JSON small. */
  now(): number {
    return Math.round((performance.now() - this.origin) * 1000) / 1000;
  }

  /** Converts a wall-clock instant (e.g. an API timestamp) to this ledger's time axis. */
  fromEpoch(epochMs: number): number {
    return epochMs - this.startedAtEpochMs;
  }

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  toRaw(): RawLedger {
    return { startedAtEpochMs: this.startedAtEpochMs, target: this.target, records: this.records };
  }
}
