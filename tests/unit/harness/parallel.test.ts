import { DEFAULT_PARALLEL, parseParallel } from '../../../lib/run/config.ts';
import { HarnessError } from '../../../lib/kit/errors.ts';

describe('WC_PARALLEL: how many cluster files run at once', () => {
  it(`must default to ${DEFAULT_PARALLEL} when unset or empty`, () => {
    expect(parseParallel({})).toBe(DEFAULT_PARALLEL);
    expect(parseParallel({ WC_PARALLEL: ' ' })).toBe(DEFAULT_PARALLEL);
  });

  it('must take a whole number from 1 (serial) up', () => {
    expect(parseParallel({ WC_PARALLEL: '1' })).toBe(1);
    expect(parseParallel({ WC_PARALLEL: '12' })).toBe(12);
  });

  it.each(['0', '-2', '1.5', 'six', '65', '3x'])('must refuse WC_PARALLEL=%s with one message naming the variable', (value) => {
    expect(() => parseParallel({ WC_PARALLEL: value })).toThrow(HarnessError);
    expect(() => parseParallel({ WC_PARALLEL: value })).toThrow(/WC_PARALLEL/);
  });
});
