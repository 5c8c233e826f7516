import { setTimeout as sleep } from 'node:timers/promises';
import { startHostLoad } from '../../lib/rollout/load/host-source.ts';
import { useLocalHttp } from './local-http.ts';

describe('the test process runs its load generator on a worker thread of its own', () => {
  const server = useLocalHttp('pod-a');

  it('keeps sending while the main thread is blocked, reports progress, and hands over the whole ledger', async () => {
    const load = await startHostLoad({ target: server.target, path: '/', identify: { from: 'body' }, modes: ['fresh', 'keepalive'],
      ratePerSecond: 100, concurrency: 1024, timeoutMs: 5000 });
    expect(load.where).toBe('host');
    expect(Math.abs(load.epochMs - Date.now())).toBeLessThan(5000);
    await sleep(300);
    // The main thread busy for a second, as a test's own work can hold it: the generator's sends go on.
    const blockedFrom = Date.now() - load.epochMs;
    const until = Date.now() + 1000;
    while (Date.now() < until) { /* busy */ }
    const blockedTo = Date.now() - load.epochMs;
    // Progress arrives as messages from the generator's thread: wait for one that counts answers.
    for (let i = 0; i < 100 && !load.progress().fresh?.total; i++) await sleep(50);
    expect(load.progress().fresh?.total).toBeGreaterThan(0);
    const ledger = await load.stop();
    expect(ledger.records.length).toBeGreaterThan(250);
    expect(ledger.records.every((r) => r.status === 200 && r.answer === 'pod-a')).toBe(true);
    // The server answers on the main thread, so its answers waited; the requests went out while it was blocked.
    const sentWhileBlocked = ledger.records.filter((r) => r.start > blockedFrom + 100 && r.start < blockedTo - 100).length;
    expect(sentWhileBlocked).toBeGreaterThan(100);
    expect(typeof ledger.eventLoopBlockedMaxMs).toBe('number');
    // Its thread runs at nice -10 where the process may raise a priority (root here and in CI).
    expect(ledger.generatorNice).toBe(process.getuid?.() === 0 ? -10 : undefined);
  });

  it('stops at once (idle workers waiting for a slot are woken), and a second stop hands over the same ledger', async () => {
    // 1024 idle workers hold slots up to 1024 / 50 = 20 s ahead: a stop that waited for them would time out.
    const load = await startHostLoad({ target: server.target, path: '/', identify: { from: 'body' }, modes: ['keepalive'],
      ratePerSecond: 50, concurrency: 1024, timeoutMs: 2000 });
    await sleep(200);
    const stopping = Date.now();
    const first = await load.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    await expect(load.stop()).resolves.toBe(first);
  });
});
