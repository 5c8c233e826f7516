import { bytes, formatBytes, millicores, parseQuantity } from '../../../lib/kit/quantities.ts';

describe('quantities', () => {
  test('CPU quantities in millicores, whole cores and fractions alike', () => {
    expect(millicores('1950m')).toBe(1950);
    expect(millicores('2')).toBe(2000);
    expect(millicores('0.5')).toBe(500);
    expect(millicores('100000u')).toBe(100);
  });

  test('memory quantities in bytes, binary and decimal suffixes and exponents', () => {
    expect(bytes('24512312Ki')).toBe(24512312 * 1024);
    expect(bytes('512Mi')).toBe(536870912);
    expect(bytes('1G')).toBe(1e9);
    expect(bytes('1e3')).toBe(1000);
    expect(bytes('1.5Gi')).toBe(1.5 * 2 ** 30);
  });

  test('anything that is not a quantity is refused, not read as zero', () => {
    expect(() => parseQuantity('')).toThrow('not a Kubernetes quantity');
    expect(() => parseQuantity('12 cores')).toThrow('not a Kubernetes quantity');
    expect(() => parseQuantity('5Xi')).toThrow('not a Kubernetes quantity');
  });

  test('bytes are shown in the largest binary unit that keeps them whole', () => {
    expect(formatBytes(536870912)).toBe('512Mi');
    expect(formatBytes(25 * 2 ** 30)).toBe('25Gi');
    expect(formatBytes(24512312 * 1024 + 2 ** 30)).toBe(`${24512312 + 2 ** 20}Ki`);
    expect(formatBytes(1000)).toBe('1000');
  });
});
