import type { V1Status } from '@kubernetes/client-node';
import { exitCodeOf } from '../../../lib/kit/exec.ts';
import { messageOf } from '../../../lib/kit/errors.ts';
import { onInterrupt, REPEAT_AFTER_MS } from '../../../lib/run/signals.ts';

describe('interrupt cleanup', () => {
  it('must run the cleanup once on SIGTERM, then exit with 143', async () => {
    const exits: number[] = [];
    let cleanups = 0;
    let done!: () => void;
    const exited = new Promise<void>((r) => { done = r; });
    const remove = onInterrupt(async () => { cleanups++; }, { log: () => undefined, exit: (code) => { exits.push(code); done(); } });
    process.emit('SIGTERM', 'SIGTERM');
    await exited;
    remove();
    expect(cleanups).toBe(1);
    expect(exits).toEqual([143]);
  });

  it('must take one Ctrl-C passed on by parent processes (the same signal within a second) as one, and go on cleaning up', async () => {
    const exits: number[] = [];
    let release!: () => void;
    const remove = onInterrupt(() => new Promise<void>((r) => { release = r; }), { log: () => undefined, exit: (code) => exits.push(code) });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([130]);
    remove();
  });

  it('must exit at once with 130 on a second Ctrl-C, a second or more after the first, while the cleanup runs', async () => {
    const exits: number[] = [];
    let release!: () => void;
    const remove = onInterrupt(() => new Promise<void>((r) => { release = r; }), { log: () => undefined, exit: (code) => exits.push(code) });
    process.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setTimeout(r, REPEAT_AFTER_MS + 50));
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    release();
    await new Promise((r) => setImmediate(r));
    remove();
  });

  it('must exit even when the cleanup hangs, after its time limit', async () => {
    const exits: number[] = [];
    const remove = onInterrupt(() => new Promise<void>(() => undefined), { log: () => undefined, exit: (code) => exits.push(code), limitMs: 20 });
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    remove();
    expect(exits).toEqual([143]);
  });

  it('must stop handling signals once removed', () => {
    const before = process.listenerCount('SIGINT');
    onInterrupt(async () => undefined)();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('exec status frames', () => {
  it('must read exit code 0 from Success and the ExitCode cause from a failure', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    const failure: V1Status = { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '137' }] } };
    expect(exitCodeOf(failure)).toBe(137);
  });

  it('must fail, not invent an exit code, when the command could not run at all', () => {
    expect(() => exitCodeOf({ status: 'Failure', message: 'container not found ("nope")' })).toThrow('exec failed: container not found ("nope")');
  });
});

describe('API error messages', () => {
  it('must reduce a client-node ApiException to its status code and the Status message', () => {
    const err = Object.assign(new Error('HTTP-Code: 400\nMessage: Unknown API Status Code!\nBody: ...\nHeaders: {...}'), {
      code: 400, body: JSON.stringify({ kind: 'Status', message: 'container "main" in pod "x" is waiting to start: image can\'t be pulled' }),
    });
    expect(messageOf(err)).toBe('HTTP 400: container "main" in pod "x" is waiting to start: image can\'t be pulled');
  });

  it('must keep a network error\'s code and cause', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    expect(messageOf(err)).toBe('fetch failed (connect ECONNREFUSED 127.0.0.1:6443)');
  });
});
