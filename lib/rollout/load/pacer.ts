// Open-loop pacing: request n is due at n / rate seconds after the start, whoever sends it. A worker
// that falls behind (slow answers) sends at once, so a stall shows up as latency in the ledger rather
// than silently lowering the offered rate; concurrency bounds how far it can catch up. A stall that
// concurrency cannot absorb shows as a gap between sends, which the load rule (load-rule.ts) judges.
import { setTimeout as sleep } from 'node:timers/promises';

/** Test hook: every send due in [atMs, atMs + forMs) (on the pacer's clock) is held until the end. */
export interface Stall {
  atMs: number;
  forMs: number;
}

export class Pacer {
  private next = 0;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startMs: number;
  private readonly stall: Stall | undefined;

  constructor(ratePerSecond: number, now: () => number, stall?: Stall) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
    this.intervalMs = 1000 / ratePerSecond;
    this.now = now;
    this.startMs = now();
    this.stall = stall;
  }

  /**
   * Claims the next slot and resolves when it is due, or at once when `halt` aborts: every idle worker waits
   * here for a slot up to concurrency / rate seconds ahead (1024 / 200 = 5 s), and a stop must not wait for them.
   */
  async take(halt?: AbortSignal): Promise<void> {
    let due = this.startMs + this.next++ * this.intervalMs;
    const s = this.stall;
    if (s && due >= this.startMs + s.atMs && due < this.startMs + s.atMs + s.forMs) due = this.startMs + s.atMs + s.forMs;
    const wait = due - this.now();
    if (wait > 0.5 && !halt?.aborted) await sleep(wait, undefined, { signal: halt }).catch(() => undefined);
  }
}
