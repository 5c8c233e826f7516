// A running load, wherever it runs: in the test process (host) or in a pod inside the cluster. The
// driver only sees this interface, so both paths produce the same ledger and the same checks.
import type { ConnectionMode, RawLedger } from '../ledger/types.ts';
import type { Identify } from './identify.ts';
import type { Stall } from './pacer.ts';

export interface LoadSettings {
  /** Origin the requests go to, e.g. http://127.0.0.1:30080 */
  target: string;
  path: string;
  identify: Identify;
  modes: ConnectionMode[];
  /** Offered rate per mode. */
  ratePerSecond: number;
  /** Max requests in flight per mode. */
  concurrency: number;
  timeoutMs: number;
  /** Test hook only (pacer.ts): hold every send in this window. */
  stall?: Stall;
}

/** What the driver needs while the load runs: how much was sent, and who answered most recently. */
export interface ModeProgress {
  total: number;
  failed: number;
  /** The most recent requests by start time: answer when it succeeded, null when it failed. */
  tail: (string | null)[];
  /** When each of `tail` started, ms on the generator's ledger axis: how tails of several generators merge (merge.ts). */
  tailStarts?: number[];
}

export type Progress = Partial<Record<ConnectionMode, ModeProgress>>;

export interface LoadSource {
  readonly where: 'host' | 'pod';
  readonly target: string;
  /** Wall-clock ms of the ledger's time zero, so pod events can be put on the same axis. */
  readonly epochMs: number;
  progress(): Progress;
  /** Stops the load and returns the full ledger. */
  stop(): Promise<RawLedger>;
  /** The in-cluster generator's pods and the nodes they run on (absent on the host). */
  readonly pods?: readonly GeneratorPod[];
}

export interface GeneratorPod {
  name: string;
  node: string;
}
