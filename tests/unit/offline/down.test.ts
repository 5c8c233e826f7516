import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/run/versions.ts';

// offline/down.sh undoes the build's host changes: it stops the engine the build started — found by the
// pid and start time the build recorded — and nothing else. A stand-in "dockerd" (a copy of sleep, so
// its process name is dockerd) and a stub docker CLI (answering `ps` and `info`) play the engine here.

const cache = mkdtempSync(join(tmpdir(), 'wc-down-'));
const bin = mkdtempSync(join(tmpdir(), 'wc-down-bin-'));
const state = join(cache, 'host-changes.env');
copyFileSync('/bin/sleep', join(bin, 'dockerd'));

function dockerStub(containers: string[], defaultRuntime = 'runc'): void {
  writeFileSync(join(bin, 'docker'), [
    '#!/bin/sh',
    'case "$1 $2" in',
    `  "ps -q") printf '${containers.map((c) => `${c}\\n`).join('')}' ;;`,
    `  "ps --format") printf '${containers.map((c) => `  ${c} (image)\\n`).join('')}' ;;`,
    `  "info --format") echo ${defaultRuntime} ;;`,
    '  "info "*) exit 0 ;;',
    'esac',
  ].join('\n'));
  chmodSync(join(bin, 'docker'), 0o755);
}

/** Runs down.sh without blocking this process, which must stay free to reap the stand-in engine it stops. */
function down(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn('/bin/bash', [join(REPO_ROOT, 'offline', 'down.sh'), ...args], {
    env: { HOME: cache, PATH: `${bin}:/usr/bin:/bin`, WC_CACHE_DIR: cache }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

const startTime = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[21]!;
const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

let engine: ChildProcess;
beforeEach(async () => {
  engine = spawn(join(bin, 'dockerd'), ['300'], { stdio: 'ignore' });
  await new Promise((r) => engine.once('spawn', r));
  writeFileSync(state, `DOCKERD_PID=${engine.pid}\nDOCKERD_START=${startTime(engine.pid!)}\nDOCKERD_ARGS="--default-runtime wc-runc"\n`);
});
afterEach(() => {
  if (alive(engine)) engine.kill();
});

describe('npm run offline:down', () => {
  it('must stop the engine the build started, forget it, and say nothing else needs restoring', async () => {
    dockerStub([]);
    const exited = new Promise((r) => engine.once('exit', r));
    const { status, stderr } = await down();
    expect(status).toBe(0);
    await exited;
    expect(stderr).toContain(`stopping the Docker engine this build started (pid ${engine.pid}, args: --default-runtime wc-runc)`);
    expect(stderr).toContain('the build wrote no Docker configuration file');
    expect(existsSync(state)).toBe(false);
  });

  it('must refuse while containers still run on that engine, naming them, and stop it with --force', async () => {
    dockerStub(['wc-ci-control-plane']);
    const refused = await down();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('wc-ci-control-plane (image)');
    expect(refused.stderr).toMatch(/offline:down refused: 1 container\(s\) still run on the Docker engine this build started .*\n {2}fix: delete the kind cluster\(s\) first/);
    expect(alive(engine)).toBe(true);
    const exited = new Promise((r) => engine.once('exit', r));
    expect((await down('--force')).status).toBe(0);
    await exited;
  });

  it('must leave alone a process that only reuses the recorded pid (another start time)', async () => {
    dockerStub([]);
    writeFileSync(state, `DOCKERD_PID=${engine.pid}\nDOCKERD_START=1\n`);
    const { status, stderr } = await down();
    expect(status).toBe(0);
    expect(stderr).toContain('the Docker engine this build started is no longer running');
    expect(alive(engine)).toBe(true);
  });

  it('must stop nothing when the build started no engine, and point at an unrecorded one by its own pid file only', async () => {
    writeFileSync(state, '');
    dockerStub([], 'runc');
    expect((await down()).stderr).toContain('the Docker engine this build started is no longer running');
    expect((await down()).stderr).toContain('this build started no Docker engine on this host');
    dockerStub([], 'wc-runc');
    expect((await down()).stderr).toMatch(/an earlier version of this build\s.*started it without recording it; stop it if nothing else uses it: stop the Docker engine the way it was started/s);
    expect(alive(engine)).toBe(true);
  });

  it('must refuse an unknown option with the usage', async () => {
    expect(await down('--all')).toMatchObject({ status: 1, stderr: expect.stringContaining("offline:down refused: unknown option '--all'") });
  });
});
