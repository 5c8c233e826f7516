import { intrinsicOf } from '../../bench/intrinsic.ts';
import { formatSuiteFigures, heldBackBy, parseJunit, repeatedFigures, suiteFigures } from '../../bench/suite-figures.ts';

const junit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="5" failures="1" errors="0" time="120">
  <testsuite name="tests/rolling-update.test.ts" errors="0" failures="0" skipped="1" timestamp="2026-11-23T11:49:04" time="110.5" tests="3">
  </testsuite>
  <testsuite name="tests/oom-kill.test.ts" errors="0" failures="1" skipped="0" timestamp="2026-11-23T11:49:00" time="10" tests="2">
  </testsuite>
  <testsuite name="tests/new-thing.test.ts" errors="0" failures="0" skipped="0" timestamp="2026-11-23T11:49:00" time="7" tests="1">
  </testsuite>
</testsuites>`;

describe('bench:suite figures', () => {
  it('must read one wall time per file from junit.xml', () => {
    expect(parseJunit(junit)).toEqual([
      { file: 'rolling-update.test.ts', wallSeconds: 110.5, startedAt: '2026-11-23T11:49:04', tests: 3, failures: 0, skipped: 1 },
      { file: 'oom-kill.test.ts', wallSeconds: 10, startedAt: '2026-11-23T11:49:00', tests: 2, failures: 1, skipped: 0 },
      { file: 'new-thing.test.ts', wallSeconds: 7, startedAt: '2026-11-23T11:49:00', tests: 1, failures: 0, skipped: 0 },
    ]);
  });

  it('must divide each wall by its intrinsic minimum and the suite by (bring-up + longest file), longest first', () => {
    const loop = { file: 'oom-kill.test.ts', startedAt: '', endedAt: '', eventLoopDelayMs: { mean: 11, p50: 10.2, p99: 25, max: 60 } };
    const f = suiteFigures(parseJunit(junit), [loop], 130, 10);
    expect(f.files.map((x) => x.file)).toEqual(['rolling-update.test.ts', 'oom-kill.test.ts', 'new-thing.test.ts']);
    expect(f.longest?.file).toBe('rolling-update.test.ts');
    expect(f.suiteRatio).toBe(Math.round((130 / (10 + 110.5)) * 100) / 100);
    const oom = f.files.find((x) => x.file === 'oom-kill.test.ts')!;
    expect(oom.ratio).toBe(Math.round((10 / oom.intrinsicSeconds!) * 100) / 100);
    // The histogram times a 10 ms timer: lag is what it recorded beyond that.
    expect(oom).toMatchObject({ eventLoopLagP99Ms: 15, eventLoopLagMaxMs: 50 });
    // Its minimum is per case, and of its 3 tests 1 was skipped (the own-workload case without its config).
    expect(f.files[0]!.intrinsicSeconds).toBe(2 * intrinsicOf('rolling-update.test.ts').seconds!);
    const unknown = f.files.find((x) => x.file === 'new-thing.test.ts')!;
    expect(unknown.intrinsicSeconds).toBeUndefined();
    expect(unknown.ratio).toBeUndefined();
    const text = formatSuiteFigures(f, 6);
    expect(text).toContain('| oom-kill.test.ts | 10.0 |');
    expect(suiteFigures(parseJunit(junit), [], 130, 10, { 'oom-kill.test.ts': 6 }).files[1]!.outsideTestsSeconds).toBe(4);
    expect(text).toContain('whole-suite ratio: 1.08');
    expect(text).toContain('intrinsic minimum unknown for: new-thing.test.ts');
  });

  it('must name the file that held the suite back when the ratio is above 1.2, and say why', () => {
    const loops = [
      { file: 'rolling-update.test.ts', startedAt: '2026-11-23T12:00:00Z', endedAt: '2026-11-23T12:01:50Z', eventLoopDelayMs: { mean: 0, p50: 0, p99: 0, max: 0 } },
      { file: 'oom-kill.test.ts', startedAt: '2026-11-23T12:00:00Z', endedAt: '2026-11-23T12:00:10Z', eventLoopDelayMs: { mean: 0, p50: 0, p99: 0, max: 0 } },
      { file: 'new-thing.test.ts', startedAt: '2026-11-23T12:02:00Z', endedAt: '2026-11-23T12:02:07Z', eventLoopDelayMs: { mean: 0, p50: 0, p99: 0, max: 0 } },
    ];
    const slow = suiteFigures(parseJunit(junit), loops, 200, 10);
    expect(heldBackBy(slow, loops, 2)).toMatch(/^held back by new-thing.test.ts: it ended last, having started 120 s into the run/);
    expect(heldBackBy(suiteFigures(parseJunit(junit), loops, 125, 10), loops, 2)).toBeUndefined();
  });

  it('must sum up several runs per file (min / median / max wall, runs with a failure) and the suite ratio\'s spread', () => {
    const runs = [130, 120, 150].map((wall) => suiteFigures(parseJunit(junit.replace('time="110.5"', `time="${wall - 10}"`)), [], wall, 0));
    const text = repeatedFigures(runs);
    expect(text).toContain('3 runs');
    expect(text).toContain(`| rolling-update.test.ts | 110.0 / 120.0 / 140.0 | ${2 * intrinsicOf('rolling-update.test.ts').seconds!} |`);
    expect(text).toContain('| oom-kill.test.ts | 10.0 / 10.0 / 10.0 |');
    expect(text).toMatch(/\| oom-kill.test.ts .* \| 3 of 3 \|/);
    expect(text).toContain('suite wall s (min / median / max): 120 / 130 / 150');
    expect(text).toContain('whole-suite ratio (min / median / max): 1.07 / 1.08 / 1.09');
  });
});
