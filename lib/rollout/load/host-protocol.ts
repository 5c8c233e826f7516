// What the generator's worker thread tells the test process (host-worker.ts → host-source.ts).
import type { RawLedger } from '../ledger/types.ts';
import type { Progress } from './source.ts';

export type HostWorkerMessage =
  | { type: 'started'; epochMs: number }
  | { type: 'progress'; progress: Progress }
  | { type: 'ledger'; ledger: RawLedger }
  | { type: 'failed'; message: string };
