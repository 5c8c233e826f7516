import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childProcesses, stopChildProcesses } from '../../../lib/run/child-processes.ts';

describe('an interrupted run stops the processes it started (Jest workers) before its cleanup', () => {
  it('reads the children of a process from /proc, comm with spaces and parentheses included, zombies left out', () => {
    const proc = mkdtempSync(join(tmpdir(), 'wc-proc-'));
    const stat = (pid: number, text: string) => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'stat'), text);
    };
    stat(10, '10 (node) S 1 10 10 0 -1');
    stat(11, '11 (jest (worker) x) S 10 10 10 0 -1');
    stat(12, '12 (node) Z 10 10 10 0 -1');
    stat(13, '13 (node) R 99 13 13 0 -1');
    mkdirSync(join(proc, 'self'));
    expect(childProcesses(10, proc)).toEqual([11]);
  });

  it('must SIGTERM the real children of a process and see them gone', async () => {
    // A shell whose child is `sleep`: the test stops the shell's children, never this process's own.
    const shell = spawn('sh', ['-c', 'sleep 30; echo after']);
    const output: string[] = [];
    shell.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((r) => shell.on('exit', (code) => r(code)));
    const parent = shell.pid!;
    for (let i = 0; i < 100 && childProcesses(parent).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(childProcesses(parent)).toHaveLength(1);
    const lines: string[] = [];
    await stopChildProcesses((l) => lines.push(l), 5000, parent);
    expect(childProcesses(parent)).toEqual([]);
    // The shell itself was left alone: it went on to its next command once its child was gone.
    expect(await exited).toBe(0);
    expect(output.join('')).toBe('after\n');
    expect(lines[0]).toMatch(/stopping 1 test worker process/);
  });
});
