import { pollUntil, PollTimeoutError } from '../../../lib/drivers/poll.ts';

describe('pollUntil', () => {
  test('returns the first answer that is the awaited one', async () => {
    let n = 0;
    const polled = await pollUntil({ description: 'n to reach 3', probe: async () => ++n, done: (v) => v >= 3,
      timeoutMs: 1000, intervalMs: 1 });
    expect(polled).toMatchObject({ value: 3, attempts: 3 });
  });

  test('a deadline error names what was awaited and the last answer', async () => {
    const polling = pollUntil({ description: 'the name to resolve', probe: async () => 'NXDOMAIN',
      done: () => false, timeoutMs: 20, intervalMs: 5, show: (v) => v });
    await expect(polling).rejects.toThrow(PollTimeoutError);
    await expect(polling).rejects.toThrow(/the name to resolve.*last answer: NXDOMAIN/);
  });
});
