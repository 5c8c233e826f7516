// The load generator in the calling thread: one generator per connection mode, all writing to one recorder
// so they share a time axis. The test process runs it on a worker thread of its own (host-source.ts); the
// generator pod runs it as its main (pod-main.ts).
import type { LookupFunction } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Recorder } from '../ledger/recorder.ts';
import { startLoad } from './generator.ts';
import { progressOf } from './progress.ts';
import type { LoadSettings, LoadSource } from './source.ts';

/** `lookup`: how the target's name becomes an address (default: the system resolver, per connection). */
export function startLocalLoad(settings: LoadSettings, lookup?: LookupFunction): LoadSource & { axisNow(): number } {
  const recorder = new Recorder(settings.target);
  // How long the event loop was held up at worst: tells a generator stall from a quiet workload.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const runs = settings.modes.map((mode) => startLoad({ ...settings, mode, ...(lookup ? { lookup } : {}) }, recorder));
  return {
    where: 'host',
    target: settings.target,
    epochMs: recorder.startedAtEpochMs,
    progress: () => progressOf(recorder.records),
    axisNow: () => recorder.now(),
    async stop() {
      await Promise.all(runs.map((r) => r.stop()));
      loop.disable();
      return { ...recorder.toRaw(), eventLoopBlockedMaxMs: Math.round(loop.max / 1e6) };
    },
  };
}
