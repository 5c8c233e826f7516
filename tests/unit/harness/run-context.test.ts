import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '../../../lib/kit/run-context.ts';
import { currentRun, RUN_FILE_ENV, writeRunContext } from '../../../lib/kit/run-context.ts';

const dir = mkdtempSync(join(tmpdir(), 'wc-run-context-'));
const run: RunContext = {
  runId: '2612021300-abcd', kubeconfigPath: '/k', images: { agnhost: 'a', busybox: 'b' } as RunContext['images'],
  mode: 'kind', offline: true, createdCluster: false, keepCluster: true, reportsDir: dir, kindConfigPath: 'kind-config.yaml',
  startedAt: '2026-12-02T13:00:00Z', owner: { host: 'h', pid: 1 },
};

describe('the run context a test worker reads', () => {
  afterEach(() => { delete process.env[RUN_FILE_ENV]; });

  it('must refuse a file that starts while the run is being interrupted, so that it creates nothing', () => {
    writeRunContext({ ...run, stopping: true }, join(dir, 'stopping.json'));
    expect(() => currentRun()).toThrow(/run 2612021300-abcd is being interrupted .* a file starting now creates nothing/);
  });

  it('must hand a running run to the file', () => {
    writeRunContext(run, join(dir, 'running.json'));
    expect(currentRun().runId).toBe('2612021300-abcd');
  });
});
