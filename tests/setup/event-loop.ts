import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { currentRun } from '../../lib/kit/run-context.ts';

/**
 * Cluster files run side by side (WC_PARALLEL), each in its own Jest worker process. Whether that process's
 * event loop kept up — the rolling update's host load generator paces requests on it — is measured here for
 * every file, not assumed: the delay histogram of the whole file goes to reports/.timing/<file>.json, where
 * bench/suite.ts reads it. A p99 of a few ms means the loop was free; hundreds of ms mean it was saturated
 * (by this file or by the host's CPU).
 */
const histogram = monitorEventLoopDelay({ resolution: 10 });
const startedAt = new Date();
histogram.enable();

afterAll(() => {
  histogram.disable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const file = basename(expect.getState().testPath ?? 'unknown');
  let dir: string;
  try {
    dir = join(currentRun().reportsDir, '.timing');
  } catch {
    return; // no run context: the file failed before the run began; nothing worth measuring
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${file}.json`), `${JSON.stringify({
    file, pid: process.pid, startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(),
    eventLoopDelayMs: { mean: ms(histogram.mean), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)),
      max: ms(histogram.max) },
  }, null, 2)}\n`);
});
