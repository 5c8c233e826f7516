import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aloneOnCluster, isNodeLevelFile, otherRunningFiles, registerRunningFile, unregisterRunningFile } from '../../../lib/kit/node-level.ts';

describe('node-level files run alone', () => {
  it('must know a node-level file by its name', () => {
    expect(isNodeLevelFile('/r/tests/node-drain.test.ts')).toBe(true);
    expect(isNodeLevelFile('/r/tests/rolling-update.test.ts')).toBe(false);
    expect(isNodeLevelFile('/r/tests/unit/node-level.test.ts')).toBe(false);
  });

  it('must see other live files, forget entries whose process is gone, and not count itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-running-'));
    registerRunningFile('/r/tests/self.test.ts', dir);
    writeFileSync(join(dir, `${process.ppid}.json`), JSON.stringify({ pid: process.ppid, file: '/r/tests/other.test.ts' }));
    writeFileSync(join(dir, '999999999.json'), JSON.stringify({ pid: 999999999, file: '/r/tests/dead.test.ts' }));
    expect(otherRunningFiles(dir)).toEqual(['/r/tests/other.test.ts']);
    unregisterRunningFile(dir);
  });

  it('must wait while another file runs and take the lock once alone, a stale lock (process gone) taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wc-running-'));
    writeFileSync(join(dir, 'node-level.lock'), '999999999');
    const other = join(dir, `${process.ppid}.json`);
    writeFileSync(other, JSON.stringify({ pid: process.ppid, file: '/r/tests/other.test.ts' }));
    const lines: string[] = [];
    let released: (() => void) | undefined;
    const waiting = aloneOnCluster('/r/tests/node-drain.test.ts', (l) => lines.push(l), dir).then((r) => { released = r; });
    await new Promise((r) => setTimeout(r, 1500));
    expect(released).toBeUndefined();
    expect(lines[0]).toContain('still running: other.test.ts');
    const { rmSync } = await import('node:fs');
    rmSync(other);
    await waiting;
    expect(released).toBeDefined();
    // A second node-level file now waits for the lock.
    let second = false;
    const next = aloneOnCluster('/r/tests/node-spread.test.ts', () => undefined, dir).then((r) => { second = true; return r; });
    await new Promise((r) => setTimeout(r, 1500));
    expect(second).toBe(false);
    released!();
    (await next)();
    expect(second).toBe(true);
  });
});
