import { parseJunitCases } from '../../../lib/run/junit.ts';
import { formatMatrix, mergeJunit, versionMatrix } from '../../../lib/run/version-matrix.ts';

const junit = (cases: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1">
  <testsuite name="tests/oom-kill.test.ts" errors="0" failures="${cases.includes('<failure') ? 1 : 0}" skipped="0" timestamp="2026-12-05T01:00:00" time="30" tests="2">
${cases}
  </testsuite>
</testsuites>`;
const pass = (name: string): string => `    <testcase classname="cluster › oom" name="${name}" time="10"></testcase>`;
const fail = (name: string): string => `    <testcase classname="cluster › oom" name="${name}" time="10"><failure>expected 137 &lt; got 0</failure></testcase>`;

describe('a run over several Kubernetes versions', () => {
  const v137 = parseJunitCases(junit(`${pass('must kill')}\n${pass('control')}`));
  const v135 = parseJunitCases(junit(`${fail('must kill')}\n${pass('control')}`));

  it('must give every test one verdict per version, "not run" where a version had none, and each version\'s totals', () => {
    const matrix = versionMatrix([
      { minor: '1.37', serverVersion: 'v1.37.2', cases: v137 },
      { minor: '1.35', cases: v135 },
      { minor: '1.36', cases: [], interrupted: true },
    ]);
    expect(matrix.rows).toEqual([
      { file: 'oom-kill.test.ts', name: 'must kill', verdicts: { '1.37': 'passed', '1.35': 'failed', '1.36': 'not run' } },
      { file: 'oom-kill.test.ts', name: 'control', verdicts: { '1.37': 'passed', '1.35': 'passed', '1.36': 'not run' } },
    ]);
    expect(matrix.versions).toEqual([
      { minor: '1.37', serverVersion: 'v1.37.2', passed: 2, failed: 0, skipped: 0, interrupted: false },
      { minor: '1.35', passed: 1, failed: 1, skipped: 0, interrupted: false },
      { minor: '1.36', passed: 0, failed: 0, skipped: 0, interrupted: true },
    ]);
    const table = formatMatrix(matrix);
    expect(table[0]).toMatch(/^1\.37\s+1\.35\s+1\.36\s+test$/);
    expect(table[1]).toMatch(/^PASS\s+FAIL\s+-\s+oom-kill › must kill$/);
    expect(table).toContain('Kubernetes 1.37 (v1.37.2): 2 passed, 0 failed, 0 skipped');
    expect(table).toContain('Kubernetes 1.36: 0 passed, 0 failed, 0 skipped (interrupted: not counted)');
  });

  it('must merge the versions\' junit files into one, each test suite named with its version, that reads back case by case', () => {
    const merged = mergeJunit([{ minor: '1.37', xml: junit(`${pass('must kill')}\n${pass('control')}`) },
      { minor: '1.35', xml: junit(`${fail('must kill')}\n${pass('control')}`) }, { minor: '1.36', xml: '' }]);
    expect(merged).toMatch(/<testsuites name="workload-conformance, Kubernetes 1.37, 1.35, 1.36" tests="4" failures="1">/);
    expect(merged).toContain('<testsuite name="[Kubernetes 1.37] tests/oom-kill.test.ts"');
    expect(merged).toContain('<testsuite name="[Kubernetes 1.35] tests/oom-kill.test.ts"');
    const cases = parseJunitCases(merged);
    expect(cases).toHaveLength(4);
    expect(cases.filter((c) => c.failure)).toEqual([expect.objectContaining({ file: 'oom-kill.test.ts', name: 'must kill', failure: 'expected 137 < got 0' })]);
  });
});
