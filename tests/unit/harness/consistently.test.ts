import { consistently, ConsistentlyViolatedError } from '../../../lib/kit/consistently.ts';
import { FakeApi, pod, settle } from './fake-watch.ts';

type Item = ReturnType<typeof pod>;
const restarts = (p: Item): number => (p.status as { restarts?: number } | undefined)?.restarts ?? 0;

function noRestart(api: FakeApi, windowMs: number, atLeast?: number) {
  return consistently<Item>({
    description: 'pod a never restarts', list: api.list, watch: api, watchPath: '/api/v1/namespaces/ns/pods', kind: 'Pod',
    violation: (p) => (restarts(p) > 0 ? `${p.metadata.name} restarted ${restarts(p)} time(s)` : undefined),
    windowMs, ...(atLeast !== undefined ? { atLeast } : {}),
  });
}

describe('consistently', () => {
  it('must succeed when the window elapses with every observed object as promised', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { restarts: 0 })];
    // A window long enough for the event sent below to arrive on a busy machine (CI, 2026-12-05: 200 ms was not).
    const result = noRestart(api, 1000);
    await settle();
    api.current.send('MODIFIED', pod('a', '101', { restarts: 0 }));
    const held = await result;
    expect(held).toMatchObject({ windowMs: 1000, observations: 2 });
    expect(held.observedMs).toBeGreaterThan(150);
    expect(held.objects).toHaveLength(1);
    expect(api.current.aborted).toBe(true);
  });

  it('must fail at the first violation the watch sees, with the object that broke it, without waiting out the window', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { restarts: 0 })];
    const started = Date.now();
    const result = noRestart(api, 10_000).catch((e: unknown) => e);
    await settle();
    api.current.send('MODIFIED', pod('a', '101', { restarts: 1 }));
    const error = await result;
    expect(error).toBeInstanceOf(ConsistentlyViolatedError);
    expect((error as ConsistentlyViolatedError).reason).toBe('a restarted 1 time(s)');
    expect((error as ConsistentlyViolatedError).object).toMatchObject({ metadata: { name: 'a', resourceVersion: '101' } });
    expect((error as Error).message).toMatch(/^pod a never restarts stopped holding after \d+ ms: a restarted 1 time\(s\)\nobject:\npod\/a/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(api.current.aborted).toBe(true);
  });

  it('must fail when the state is already broken at the first list', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { restarts: 2 })];
    await expect(noRestart(api, 10_000)).rejects.toThrow(/a restarted 2 time\(s\)/);
    expect(api.watches).toHaveLength(0);
  });

  it('must not pass vacuously: fewer objects than promised is a violation', async () => {
    const api = new FakeApi();
    await expect(noRestart(api, 10_000)).rejects.toThrow(/0 object\(s\) matched, fewer than the 1 promised/);
    const later = new FakeApi();
    later.state = [pod('a', '5')];
    const result = noRestart(later, 10_000).catch((e: unknown) => e);
    await settle();
    later.current.send('DELETED', pod('a', '102'));
    expect(await result).toBeInstanceOf(ConsistentlyViolatedError);
  });

  it('must not pass when nothing was observed within the window', async () => {
    const api = new FakeApi();
    api.list = () => new Promise(() => undefined);
    await expect(noRestart(api, 100)).rejects.toThrow(/nothing was observed within the 100 ms window/);
  });
});
