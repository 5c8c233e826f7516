import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedResult } from '../../../lib/kit/report.ts';
import { mergeResults, recordBehaviour, resetSummary, runCase, writeSummary } from '../../../lib/kit/report.ts';

const entry = (behaviour: string, kase: string, verdict: 'passed' | 'failed', recordedAt: string, runId = 'r1'): RecordedResult =>
  ({ behaviour, case: kase, verdict, durationMs: 10, observations: {}, runId, recordedAt });

describe('summary merging', () => {
  it('must keep one entry per behaviour and case, the latest, ordered by behaviour then case', () => {
    const summary = mergeResults([
      entry('oom', 'control', 'passed', '2026-01-01T00:00:02Z'),
      entry('dns', 'main', 'failed', '2026-01-01T00:00:01Z'),
      entry('dns', 'main', 'passed', '2026-01-01T00:00:03Z'),
      entry('dns', 'control', 'passed', '2026-01-01T00:00:01Z'),
    ], 'r1', new Date('2026-01-01T00:01:00Z'));
    expect(summary.behaviours.map((b) => `${b.behaviour}/${b.case}/${b.verdict}`)).toEqual(['dns/control/passed', 'dns/main/passed', 'oom/control/passed']);
    expect(summary).toMatchObject({ runId: 'r1', generatedAt: '2026-01-01T00:01:00.000Z', totals: { passed: 3, failed: 0 } });
  });

  it('must leave out entries of other runs', () => {
    expect(mergeResults([entry('a', 'b', 'failed', 'x', 'old'), entry('a', 'c', 'passed', 'x')], 'r1').behaviours).toHaveLength(1);
  });
});

describe('recording behaviours', () => {
  const saved = { WC_REPORTS_DIR: process.env.WC_REPORTS_DIR, WC_RUN_FILE: process.env.WC_RUN_FILE };
  // Never the run file of a cluster run going on in this checkout: its summary is not ours to write.
  beforeAll(() => {
    process.env.WC_RUN_FILE = join(mkdtempSync(join(tmpdir(), 'wc-no-run-')), 'none.json');
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('must merge entries written separately (as by several workers) into summary.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-report-'));
    recordBehaviour({ behaviour: 'oom', case: 'main', verdict: 'passed', durationMs: 5, observations: { exitCode: 137 } }, dir);
    recordBehaviour({ behaviour: 'oom', case: 'control', verdict: 'failed', durationMs: 6, observations: {} }, dir);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.totals).toEqual({ passed: 1, failed: 1 });
    expect(summary.behaviours[1]).toMatchObject({ behaviour: 'oom', case: 'main', observations: { exitCode: 137 } });
    resetSummary(dir);
    expect(writeSummary(dir).behaviours).toEqual([]);
  });

  it('runCase must record the verdict, duration and observations, including on failure, and rethrow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-report-'));
    process.env.WC_REPORTS_DIR = dir;
    await runCase('liveness', 'exec probe', async (obs) => { obs.restarts = 1; });
    await expect(runCase('liveness', 'http probe', async (obs) => {
      obs.restarts = 0;
      throw new Error('no restart within 60s');
    })).rejects.toThrow('no restart within 60s');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.behaviours).toEqual([
      expect.objectContaining({ case: 'exec probe', verdict: 'passed', observations: { restarts: 1 } }),
      expect.objectContaining({ case: 'http probe', verdict: 'failed', observations: { restarts: 0 }, failure: 'no restart within 60s' }),
    ]);
    expect(typeof summary.behaviours[0].durationMs).toBe('number');
  });

  it('runCase must say a report-write failure beside the case\'s own result, never instead of it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wc-report-')), 'not-a-dir');
    writeFileSync(file, '');
    process.env.WC_REPORTS_DIR = join(file, 'reports'); // under a file: every write fails (ENOTDIR), like a full disk
    await expect(runCase('liveness', 'failing', async () => { throw new Error('no restart within 60s'); }))
      .rejects.toThrow(/^no restart within 60s\n\(and its report could not be written: .*ENOTDIR/);
    await expect(runCase('liveness', 'passing', async () => 1)).rejects.toThrow(/^the case PASSED, but its report could not be written: .*ENOTDIR/);
  });
});
