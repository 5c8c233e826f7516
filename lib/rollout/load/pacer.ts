// Open-loop pacing: request n is due at n / rate seconds after the start, whoever sends it. A worker
// that falls behind (slow answers) sends at once, so a stall shows up as latency in the ledger rather
// than silently lowering the offered rate; concurrency bounds how far it can catch up.
import { setTimeout as sleep } from 'node:timers/promises';

export class Pacer {
  private next = 0;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startMs: number;

  constructor(ratePerSecond: number, now: () => number) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
    this.intervalMs = 1000 / ratePerSecond;
    this.now = now;
    this.startMs = now();
  }

  /** Claims the next slot and resolves when it is due. */
  async take(): Promise<void> {
    const due = this.startMs + this.next++ * this.intervalMs;
    const wait = due - this.now();
    if (wait > 0.5) await sleep(wait);
  }
}
