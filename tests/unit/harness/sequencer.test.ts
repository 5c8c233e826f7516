import type { Test } from '@jest/test-result';
import LongestFirst from '../../setup/sequencer.ts';

function testOf(path: string, project: 'unit' | 'cluster'): Test {
  return { path, duration: undefined, context: { config: { displayName: { name: project }, cache: false } } } as unknown as Test;
}

describe('the order test files start in', () => {
  it('must put cluster files first, the longest Kubernetes-intrinsic minimum first, with no timing cache (a fresh clone)', () => {
    const order = new LongestFirst({ contexts: [], globalConfig: {} as never }).sort([
      testOf('/r/tests/unit/a.test.ts', 'unit'),
      testOf('/r/tests/oom-kill.test.ts', 'cluster'),
      testOf('/r/tests/rolling-update.test.ts', 'cluster'),
      testOf('/r/tests/slow-start.test.ts', 'cluster'),
    ]).map((t) => t.path.replace('/r/tests/', ''));
    expect(order).toEqual(['rolling-update.test.ts', 'slow-start.test.ts', 'oom-kill.test.ts', 'unit/a.test.ts']);
  });

  it('must start the node-level files (tests/node-*.test.ts) after every other cluster file, before the unit files', () => {
    const order = new LongestFirst({ contexts: [], globalConfig: {} as never }).sort([
      testOf('/r/tests/node-drain.test.ts', 'cluster'),
      testOf('/r/tests/unit/a.test.ts', 'unit'),
      testOf('/r/tests/oom-kill.test.ts', 'cluster'),
      testOf('/r/tests/rolling-update.test.ts', 'cluster'),
    ]).map((t) => t.path.replace('/r/tests/', ''));
    expect(order).toEqual(['rolling-update.test.ts', 'oom-kill.test.ts', 'node-drain.test.ts', 'unit/a.test.ts']);
  });
});
