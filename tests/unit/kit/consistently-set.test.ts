import { consistently, ConsistentlyViolatedError } from '../../../lib/kit/consistently.ts';
import { waitFromNow } from '../../../lib/kit/watch-first.ts';
import type { Predicate } from '../../../lib/kit/wait.ts';
import { FakeApi, pod, settle } from '../harness/fake-watch.ts';

type Item = ReturnType<typeof pod>;
const absent = (name: string): Predicate<Item, number> => (items) =>
  (items.some((i) => i.metadata.name === name) ? { done: false, note: `${name} appeared` } : { done: true, value: items.length });

async function hold<V>(api: FakeApi, predicate: Predicate<Item, V>, windowMs: number): Promise<V | undefined> {
  const held = await consistently({ description: 'b to stay away', list: api.list, watch: api,
    watchPath: '/api/v1/namespaces/ns/pods', kind: 'Pod', predicate, windowMs });
  return held.value;
}

describe('consistently with a predicate over the set', () => {
  it('must resolve with the last value when the predicate held for every state seen over the window', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5')];
    // Long enough that the event below lands inside the window on a loaded machine (150 ms did not, once).
    const result = hold(api, absent('b'), 1000);
    await settle();
    api.current.send('ADDED', pod('c', '101'));
    await expect(result).resolves.toBe(2);
  });

  it('must fail at the first state where the predicate stops holding, with its note, before the window ends', async () => {
    const api = new FakeApi();
    const started = Date.now();
    const result = hold(api, absent('b'), 5000);
    await settle();
    api.current.send('ADDED', pod('b', '101'));
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsistentlyViolatedError);
    expect((err as Error).message).toMatch(/^b to stay away stopped holding after \d+ ms: b appeared\n/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('must fail when the state already breaks the predicate at the first list', async () => {
    const api = new FakeApi();
    api.state = [pod('b', '5')];
    await expect(hold(api, absent('b'), 5000)).rejects.toThrow(/stopped holding after \d+ ms: b appeared/);
  });

  it('must pass a fatal outcome through as a failure', async () => {
    const api = new FakeApi();
    await expect(hold(api, () => ({ fatal: 'pod is Failed' }), 5000)).rejects.toThrow(/stopped holding after \d+ ms: pod is Failed/);
  });

  it('must not count a window in which nothing was observed as holding', async () => {
    const api = new FakeApi();
    api.list = () => new Promise(() => undefined);
    await expect(hold(api, absent('b'), 50)).rejects.toThrow(/nothing was observed within the 50 ms window/);
  });
});

describe('waitFromNow', () => {
  it('must return once the first list is in, with the wait still pending, and see what comes after', async () => {
    const api = new FakeApi();
    const { result } = await waitFromNow({ description: 'b', list: api.list, watch: api, watchPath: '/x', timeoutMs: 5000,
      progressEveryMs: 0, predicate: (items: Item[]) => (items.length ? { done: true, value: items[0]!.metadata.name } : { done: false }) });
    expect(api.lists).toBe(1);
    await settle();
    api.current.send('ADDED', pod('b', '101'));
    await expect(result).resolves.toBe('b');
  });
});
