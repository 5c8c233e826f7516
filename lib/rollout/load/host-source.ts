// The load generator in the test process, on a worker thread of its own. On the main thread it shared an
// event loop with the test's own work (watch events, the previous case's reports) and, on a busy machine,
// was held up for seconds (seen: 4.2 s) — a stall the load rule then had to call "load too thin". On its own
// thread only the machine can starve it, and its event-loop figure measures the generator alone.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from '../../kit/repo.ts';
import type { RawLedger } from '../ledger/types.ts';
import type { HostWorkerMessage } from './host-protocol.ts';
import type { LoadSettings, LoadSource, Progress } from './source.ts';

// Node runs the TypeScript entry as it is (type stripping, Node >= 22.18), outside Jest's transform.
const ENTRY = join(REPO_ROOT, 'lib/rollout/load/host-worker.ts');

export async function startHostLoad(settings: LoadSettings): Promise<LoadSource> {
  const worker = new Worker(ENTRY, { workerData: settings });
  // A test that fails before stopping the load must not keep its process alive.
  worker.unref();
  let progress: Progress = {};
  let ended: Error | undefined;
  let settle: { resolve(l: RawLedger): void; reject(e: Error): void } | undefined;
  const fail = (err: Error) => {
    ended ??= err;
    settle?.reject(err);
  };
  const started = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: HostWorkerMessage) => {
      if (m.type === 'started') resolve(m.epochMs);
      else if (m.type === 'progress') progress = m.progress;
      else if (m.type === 'ledger') settle?.resolve(m.ledger);
      else fail(new Error(`the load generator failed: ${m.message}`));
    });
    worker.on('error', (err) => {
      reject(err);
      fail(err);
    });
    worker.on('exit', (code) => {
      const err = new Error(`the load generator's thread exited (code ${code}) before handing over its ledger`);
      reject(err);
      fail(err);
    });
  });
  const epochMs = await started;
  let stopping: Promise<RawLedger> | undefined;
  return {
    where: 'host',
    target: settings.target,
    epochMs,
    progress: () => progress,
    stop() {
      if (stopping) return stopping;
      if (ended) return Promise.reject(ended);
      const ledger = new Promise<RawLedger>((resolve, reject) => {
        settle = { resolve, reject };
      });
      worker.postMessage('stop');
      stopping = ledger.finally(() => void worker.terminate());
      return stopping;
    },
  };
}
