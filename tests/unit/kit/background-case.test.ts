import { atMostAtOnce } from '../../../lib/kit/background-case.ts';

/** A case that ends when told to: `end()` resolves it, `fail()` rejects it. */
function controlled() {
  let end!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => { end = resolve; fail = reject; });
  return { done, end, fail };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('atMostAtOnce', () => {
  it('must run at most n cases at once and start the next in order as soon as one ends, whatever its outcome', async () => {
    const gate = atMostAtOnce(2);
    const started: string[] = [];
    const cases = Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, controlled()]));
    const runs = Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, gate(async () => { started.push(k); await c.done; return k; })]));
    runs.b!.catch(() => undefined);
    await settle();
    expect(started).toEqual(['a', 'b']);
    cases.b!.fail(new Error('b failed'));
    await expect(runs.b).rejects.toThrow('b failed');
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    cases.a!.end();
    await expect(runs.a).resolves.toBe('a');
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    cases.c!.end();
    cases.d!.end();
    await expect(Promise.all([runs.c, runs.d])).resolves.toEqual(['c', 'd']);
    // Every slot is free again: the next starts at once.
    const next = controlled();
    const run = gate(async () => { started.push('e'); await next.done; });
    await settle();
    expect(started.at(-1)).toBe('e');
    next.end();
    await run;
  });
});
