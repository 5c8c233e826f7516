// The in-cluster generator starts counting only once the Service's address reaches the workload: a server
// that answers 404 first (as whatever sits behind a node's default route did before kube-proxy had written the
// rules) is waited out, each try on a connection of its own; one that never answers 2xx ends the wait with the
// last answer said.
import { lookup } from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { untilServed } from '../../lib/rollout/load/served.ts';

async function serve(statusFor: (n: number) => number): Promise<{ target: string; connections: number; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((_req, res) => {
    res.statusCode = statusFor(++n);
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state = {
    target: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  server.on('connection', () => state.connections++);
  return state;
}

describe('untilServed', () => {
  it('waits out answers that are not 2xx, each on a new connection, and says how many tries it took', async () => {
    const s = await serve((n) => (n <= 2 ? 404 : 200));
    try {
      const served = await untilServed(s.target, lookup as LookupFunction, 5000, { intervalMs: 10 });
      expect(served.attempts).toBe(3);
      expect(s.connections).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('gives up after its deadline, naming the last answer', async () => {
    const s = await serve(() => 404);
    try {
      await expect(untilServed(s.target, lookup as LookupFunction, 300, { intervalMs: 20 })).rejects.toThrow(/did not answer 2xx within 0.3 s \(\d+ tries; last: HTTP 404\)/);
    } finally {
      await s.close();
    }
  });
});
