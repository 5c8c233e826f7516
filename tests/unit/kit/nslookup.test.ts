import { describeResolution, parseNslookup } from '../../../lib/kit/dns.ts';

const header = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n';

describe('parseNslookup', () => {
  test('reads the answer addresses, not the server address', () => {
    const out = `${header}Name:\tdirectory-0.directory.ns.svc.cluster.local\nAddress: 10.244.0.7\n\n`;
    expect(parseNslookup(out)).toEqual({ outcome: 'resolved', addresses: ['10.244.0.7'] });
  });

  test('reads numbered address lines of older busybox and drops repeats', () => {
    const out = `${header}Name:\tweb\nAddress 1: 10.0.0.1\nAddress 2: 10.0.0.2\nAddress 3: 10.0.0.1\n`;
    expect(parseNslookup(out)).toEqual({ outcome: 'resolved', addresses: ['10.0.0.1', '10.0.0.2'] });
  });

  test('reports NXDOMAIN as a name that does not exist', () => {
    const out = `${header}** server can't find directory-7.directory.ns.svc.cluster.local: NXDOMAIN\n\n`;
    expect(parseNslookup(out)).toEqual({ outcome: 'nxdomain' });
  });

  test('reports a DNS failure as an error, never as a missing name', () => {
    const result = parseNslookup('', ';; connection timed out; no servers could be reached\n');
    expect(result.outcome).toBe('error');
    expect(describeResolution(result)).toMatch(/timed out/);
  });

  test('an answer with no address lines is an error, not a resolution', () => {
    expect(parseNslookup(header).outcome).toBe('error');
  });
});
