// The load generator in the test process: one generator per connection mode, all writing to one
// recorder so they share a time axis.
import { Recorder } from '../ledger/recorder.ts';
import { startLoad } from './generator.ts';
import { progressOf } from './progress.ts';
import type { LoadSettings, LoadSource } from './source.ts';

export function startHostLoad(settings: LoadSettings): LoadSource {
  const recorder = new Recorder(settings.target);
  const runs = settings.modes.map((mode) => startLoad({ ...settings, mode }, recorder));
  return {
    where: 'host',
    target: settings.target,
    epochMs: recorder.startedAtEpochMs,
    progress: () => progressOf(recorder.records),
    async stop() {
      await Promise.all(runs.map((r) => r.stop()));
      return recorder.toRaw();
    },
  };
}
