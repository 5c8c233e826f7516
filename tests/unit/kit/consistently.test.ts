import { ConsistentlyViolatedError, consistently } from '../../../lib/kit/consistently.ts';
import { FakeApi, pod, settle } from '../harness/fake-watch.ts';

type Item = ReturnType<typeof pod>;
/** The property under test: no pod named "b" exists. */
const noB = (p: Item): string | undefined => (p.metadata.name === 'b' ? 'pod b exists' : undefined);

function hold(api: FakeApi, windowMs: number) {
  return consistently({
    description: 'no pod b', list: api.list, watch: api, watchPath: '/api/v1/namespaces/ns/pods', kind: 'Pod',
    violation: noB, windowMs,
  });
}

describe('consistently', () => {
  it('must resolve at the end of the window when no listed or watched object violated, counting the events seen', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5')];
    const started = Date.now();
    const result = hold(api, 200);
    await settle();
    api.current.send('MODIFIED', pod('a', '101'));
    api.current.send('ADDED', pod('c', '102'));
    await expect(result).resolves.toMatchObject({ events: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(api.current.aborted).toBe(true);
  });

  it('must fail at the first violating watched object, naming it, before the window ends', async () => {
    const api = new FakeApi();
    const result = hold(api, 5000);
    await settle();
    api.current.send('ADDED', pod('b', '101'));
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsistentlyViolatedError);
    expect((err as ConsistentlyViolatedError).reason).toBe('pod b exists');
    expect((err as ConsistentlyViolatedError).object).toContain('pod/b');
    expect((err as ConsistentlyViolatedError).afterMs).toBeLessThan(5000);
  });

  it('must fail at once when the violating object is already there at the first list', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5'), pod('b', '6')];
    await expect(hold(api, 5000)).rejects.toThrow(/no pod b stopped holding .*pod b exists[\s\S]*pod\/b/);
    expect(api.watches).toHaveLength(0);
  });

  it('must not count a window in which nothing was ever listed as held', async () => {
    const api = new FakeApi();
    api.list = () => new Promise(() => {});
    await expect(hold(api, 50)).rejects.toThrow(/nothing was listed within the 50 ms window/);
  });
});
