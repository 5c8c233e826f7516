import type { Test } from '@jest/test-result';
import sequencerModule from '@jest/test-sequencer';
import { intrinsicOf } from '../../bench/intrinsic.ts';
import { isNodeLevelFile } from '../../lib/kit/node-level.ts';

// Loaded natively by Jest (an ES module importing a CommonJS one): the class is the module's `default` export.
type SequencerClass = typeof sequencerModule.default;
const Sequencer: SequencerClass = sequencerModule.default ?? (sequencerModule as unknown as SequencerClass);

/**
 * Cluster files run side by side, so the suite lasts about as long as its longest file only if that file
 * starts first. Jest's own order puts files that failed last time first and, on a first run (a fresh clone,
 * no timing cache), orders by file size — which put the rolling update, a short file over a long check,
 * last. Here: cluster files before unit files (those fill idle workers in seconds), each group longest first
 * by the duration Jest measured last time or the file's Kubernetes-intrinsic minimum (bench/intrinsic.ts),
 * whichever is longer. Node-level cluster files (tests/node-*.test.ts) come after every other cluster file: each
 * waits to be alone on the cluster (lib/kit/node-level.ts), so started earlier it would only hold a worker.
 */
export default class LongestFirst extends Sequencer {
  override sort(tests: Array<Test>): Array<Test> {
    const cluster = (test: Test): number => (test.context.config.displayName?.name === 'cluster' ? 1 : 0);
    const expectedSeconds = (test: Test): number => {
      const cached = (this as unknown as { _getCache(t: Test): Record<string, [number, number] | undefined> })._getCache(test)[test.path];
      const last = (cached?.[1] ?? 0) / 1000;
      // The intrinsic minimum is a floor: a file that failed fast last time (a clash, a bad image) still
      // takes at least that long when it passes.
      return Math.max(last, cluster(test) ? (intrinsicOf(test.path).seconds ?? 0) : 0);
    };
    const nodeLevel = (test: Test): number => (cluster(test) && isNodeLevelFile(test.path) ? 1 : 0);
    return [...tests].sort((a, b) => cluster(b) - cluster(a) || nodeLevel(a) - nodeLevel(b) || expectedSeconds(b) - expectedSeconds(a));
  }
}
