// Entry of the worker thread that runs the test process's load generator (host-source.ts): settings from
// workerData, the ledger's time zero once, progress ten times a second, and the full ledger on "stop".
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalLoad } from './local-source.ts';
import type { HostWorkerMessage } from './host-protocol.ts';
import type { LoadSettings } from './source.ts';

const port = parentPort!;
const post = (m: HostWorkerMessage) => port.postMessage(m);
const load = startLocalLoad(workerData as LoadSettings);
post({ type: 'started', epochMs: load.epochMs });
const timer = setInterval(() => post({ type: 'progress', progress: load.progress() }), 100);

port.once('message', () => {
  clearInterval(timer);
  void load.stop().then(
    (ledger) => post({ type: 'ledger', ledger }),
    (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  ).finally(() => port.close());
});
