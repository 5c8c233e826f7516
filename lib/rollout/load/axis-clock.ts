// Where an in-cluster generator pod's ledger axis sits on this process's clock, measured from its progress lines
// alone, so no instant of this machine is ever compared with a node's wall clock (they may disagree by seconds on a
// real cluster). Each progress line carries `atMs`, the pod's ledger-axis time when it printed the line (its own
// monotonic clock). A line read in a log request that returned at `receivedAt` (this process's Date.now()) was printed
// no later than that, so the axis' zero is at most `receivedAt - atMs` here; the smallest such bound over every read
// is the estimate. Its error is how stale the freshest read's line was (the log read's latency plus the time since the
// print), never negative: with a line every PRINT_INTERVAL_MS and a read every ~300 ms, some read lands just after a
// print within the first seconds of warm-up. docs/rollout.md ("Clocks") has the figures.

/** How often the generator pod prints a progress line: also the grain of the clock estimate. */
export const PRINT_INTERVAL_MS = 250;

export class AxisClock {
  private bound = Infinity;
  private reads = 0;
  private bestReadMs = NaN;

  /** One log read: sent at `sentAt`, answered at `receivedAt` (this process's ms), whose latest line said `atMs`. */
  observe(sentAt: number, receivedAt: number, atMs: number): void {
    this.reads += 1;
    const bound = receivedAt - atMs;
    if (bound < this.bound) {
      this.bound = bound;
      this.bestReadMs = receivedAt - sentAt;
    }
  }

  /** This process's epoch ms at the pod's ledger-axis zero (the tightest bound so far); throws before any read. */
  get epochMs(): number {
    if (!Number.isFinite(this.bound)) throw new Error('no progress line read yet: the generator pod\'s clock is not placed');
    return this.bound;
  }

  /** What the estimate rests on, for the report. */
  get evidence(): { reads: number; bestReadMs: number } {
    return { reads: this.reads, bestReadMs: Math.round(this.bestReadMs) };
  }
}
