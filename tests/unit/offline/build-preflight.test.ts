import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/run/versions.ts';

// offline/build.sh checks its prerequisites before it builds anything. These runs give it a PATH
// without the tool in question (stubs stand in for the tools checked before it) and an empty cache,
// so each must stop at once with one message that names what is missing and how to fix it.

function stubs(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'wc-stubs-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function build(path: string, env: Record<string, string> = {}) {
  const cache = mkdtempSync(join(tmpdir(), 'wc-cache-'));
  mkdirSync(join(cache, 'offline'), { recursive: true });
  const result = spawnSync('/bin/bash', [join(REPO_ROOT, 'offline', 'build.sh')], {
    env: { HOME: cache, PATH: path, WC_CACHE_DIR: cache, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

const BASE_PATH = '/usr/bin:/bin';

describe('offline/build.sh prerequisites', () => {
  it('must stop with one message naming the Go toolchain when go is not on PATH', () => {
    const { status, stderr } = build(BASE_PATH);
    expect(status).toBe(1);
    expect(stderr).toMatch(/offline build failed: the Go toolchain is not installed/);
    expect(stderr).toMatch(/fix: install Go/);
  });

  it('must stop with one message naming debootstrap when it is missing', () => {
    const { status, stderr } = build(`${stubs('go')}:${BASE_PATH}`);
    expect(status).toBe(1);
    expect(stderr).toMatch(/offline build failed: 'debootstrap' is not installed/);
    expect(stderr).toMatch(/fix: apt-get install -y debootstrap/);
  });

  it('must stop with one message about disk space when the cache disk is too full', () => {
    const { status, stderr } = build(`${stubs('go', 'debootstrap')}:${BASE_PATH}`, { WC_OFFLINE_MIN_FREE_GB: '1000000' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/offline build failed: less than 1000000 GiB free under/);
    expect(stderr).toMatch(/fix: free disk space or set WC_CACHE_DIR/);
  });
});
