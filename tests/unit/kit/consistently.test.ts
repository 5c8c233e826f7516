import { ConditionBrokenError, consistently } from '../../../lib/kit/consistently.ts';
import { FakeApi, pod, settle } from '../harness/fake-watch.ts';

type Item = ReturnType<typeof pod>;
const pending = (items: Item[]) => {
  const phase = (items[0]?.status as { phase?: string } | undefined)?.phase;
  return phase === 'Pending' ? { holds: true as const, value: phase } : { holds: false as const, reason: `phase is ${phase}` };
};

function watchFor(api: FakeApi, windowMs: number) {
  return consistently({ description: 'pod a Pending', list: api.list, watch: api, watchPath: '/api/v1/namespaces/ns/pods',
    kind: 'Pod', predicate: pending, windowMs });
}

describe('consistently', () => {
  test('resolves when the condition holds from the first look to the end of the window, counting every look', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { phase: 'Pending' })];
    const held = watchFor(api, 300);
    await settle();
    api.current.send('MODIFIED', pod('a', '6', { phase: 'Pending' }));
    const result = await held;
    expect(result).toMatchObject({ value: 'Pending', looks: 2 });
    expect(result.heldMs).toBeGreaterThanOrEqual(250);
  });

  test('fails on the first change that breaks the condition, inside the window, naming it', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { phase: 'Pending' })];
    const held = watchFor(api, 5000);
    await settle();
    api.current.send('MODIFIED', pod('a', '6', { phase: 'Running' }));
    await expect(held).rejects.toThrow(ConditionBrokenError);
    await expect(held).rejects.toThrow(/pod a Pending stopped holding after .* s: phase is Running/);
  });

  test('fails at once when the condition does not hold at the first look', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5', { phase: 'Running' })];
    await expect(watchFor(api, 5000)).rejects.toThrow(/stopped holding after 0.0 s: phase is Running/);
  });

  test('a window in which the objects could never be looked at is not a window that held', async () => {
    const api = new FakeApi();
    api.list = () => new Promise(() => undefined);
    await expect(watchFor(api, 100)).rejects.toThrow(/could not be looked at/);
  });
});
