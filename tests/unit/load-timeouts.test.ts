// A request that times out is counted by the stage it was in (lookup, connect, answer), which tells a
// vanished pod IP (no answer to the handshake) from DNS trouble or a stuck server. Each stage is produced for
// real on loopback; and the in-cluster generator's resolve-once lookup is checked against the system resolver.
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type LookupFunction } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Recorder } from '../../lib/rollout/ledger/recorder.ts';
import type { RequestRecord } from '../../lib/rollout/ledger/types.ts';
import { startLoad } from '../../lib/rollout/load/generator.ts';
import { resolvedOnce } from '../../lib/rollout/load/resolve-once.ts';

/** Sends requests at `target` for `forMs` (timeout 400 ms each) and returns what the ledger recorded. */
/** The load for `forMs`, or until `atLeast` records are in (a busy machine's timers run late: counted, not timed). */
async function recordsAgainst(target: string, lookup?: LookupFunction, forMs = 300, atLeast = Number.POSITIVE_INFINITY): Promise<RequestRecord[]> {
  const recorder = new Recorder(target);
  const run = startLoad({ target, path: '/', mode: 'fresh', ratePerSecond: 20, concurrency: 2, timeoutMs: 400,
    identify: { from: 'body' }, ...(lookup ? { lookup } : {}) }, recorder);
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline && recorder.records.length < atLeast) await sleep(Math.min(50, forMs));
  await run.stop();
  return recorder.records;
}

describe('a timed-out request records the stage its time ran out in', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  it('lookup: the name never resolved', async () => {
    const never: LookupFunction = () => undefined;
    const records = await recordsAgainst('http://svc.example:80', never);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.error === 'timeout' && r.timedOutIn === 'lookup')).toBe(true);
  });

  it('connect: the handshake got no answer (a listener whose accept queue is full drops further SYNs)', async () => {
    // A process that listens with a queue of one (0 would mean Node's default, 511) and never accepts: once a few connections fill it,
    // the kernel answers no further SYN, as with a pod IP that is gone.
    const child: ChildProcess = spawn(process.execPath, ['-e', `
      const s = require('node:net').createServer();
      s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
        process.stdout.write(String(s.address().port) + '\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    closers.push(() => child.kill('SIGKILL'));
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    // Linux queues backlog + 1 = 2 connections: once two handshakes are complete, further SYNs are dropped.
    // Awaited, not slept on: on a busy machine our request must not overtake a filler into the queue.
    for (let i = 0; i < 2; i++) {
      const filler = net.connect({ port, host: '127.0.0.1' });
      closers.push(() => filler.destroy());
      await once(filler, 'connect');
    }
    // By name, through a lookup that answers at once (as resolve-once's does): resolved, then stuck connecting.
    // Past several timeouts, so later requests get sockets the agent opened for them from another's options.
    const atOnce: LookupFunction = (_name, options, callback) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    for (const [target, lookup] of [[`http://127.0.0.1:${port}`, undefined], [`http://svc.example:${port}`, atOnce]] as const) {
      // Five in 2 s on an idle machine; under CI's load (2026-12-05: 3 in 2 s) they take longer, and are waited for.
      const records = await recordsAgainst(target, lookup, 10_000, 5);
      expect(records.length).toBeGreaterThan(4);
      expect(records.map((r) => `${r.error}/${r.timedOutIn}`)).toEqual(records.map(() => 'timeout/connect'));
    }
  });

  it('answer: connected, but the server never answered', async () => {
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => server.close());
    const records = await recordsAgainst(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.error === 'timeout' && r.timedOutIn === 'answer')).toBe(true);
  });
});

describe('resolvedOnce (the in-cluster generator resolves the Service name once)', () => {
  it('answers the name with the address the system resolver gave, in both lookup shapes, and refuses other names', async () => {
    const { address, lookup } = await resolvedOnce('localhost');
    expect(net.isIP(address)).not.toBe(0);
    const single = await new Promise<[string, number]>((resolve, reject) =>
      lookup('localhost', {}, (err, a, f) => (err ? reject(err) : resolve([a as string, f!]))));
    expect(single[0]).toBe(address);
    const all = await new Promise<unknown>((resolve, reject) =>
      lookup('localhost', { all: true }, (err, a) => (err ? reject(err) : resolve(a))));
    expect(all).toEqual([{ address, family: net.isIP(address) }]);
    const other = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('example.org', {}, (err) => resolve(err)));
    expect(other?.code).toBe('ENOTFOUND');
  });
});
