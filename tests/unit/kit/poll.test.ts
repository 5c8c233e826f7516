import { pollUntil, PollTimeoutError } from '../../../lib/kit/poll.ts';

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

test('pollUntil reports progress while it waits', async () => {
  const lines: string[] = [];
  let n = 0;
  await pollUntil({ description: 'the third answer', probe: async () => ++n, done: (v) => v >= 3, timeoutMs: 1000,
    intervalMs: 2, progressEveryMs: 1, log: (line) => lines.push(line), show: String });
  expect(lines.length).toBeGreaterThan(0);
  expect(lines[0]).toMatch(/^\[wc\] still waiting for the third answer \(\d+s of 1s\): last answer \d$/);
});
