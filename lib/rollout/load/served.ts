// The in-cluster generator counts no request before the Service's address is routed to the workload. A pod
// started the moment the endpoints are ready can connect before kube-proxy has written the ClusterIP's rules
// on its node: such a connection is not translated, leaves by the node's default route and is answered by
// whatever lies there (on this project's machines a transparent egress proxy answers 404 and keeps the
// connection alive, so a strict keep-alive client stays on it: 1,616 "lost" requests in one repeat run, all
// before the rollout began). The host generator has the same gate (reachable.ts, through the NodePort).
import { request } from 'node:http';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Served {
  attempts: number;
  waitedMs: number;
}

/** One GET on a connection of its own: the status, or the error's code. */
function answerOf(url: string, lookup: LookupFunction, timeoutMs: number): Promise<string | number> {
  return new Promise((done) => {
    const req = request(url, { agent: false, lookup, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end();
  });
}

/** Resolves once `url` answers 2xx on a new connection; rejects with the last answer after `timeoutMs`. */
export async function untilServed(url: string, lookup: LookupFunction, timeoutMs: number,
  { intervalMs = 250, requestTimeoutMs = 1000 } = {}): Promise<Served> {
  const started = Date.now();
  for (let attempts = 1; ; attempts++) {
    const answer = await answerOf(url, lookup, requestTimeoutMs);
    if (typeof answer === 'number' && answer >= 200 && answer < 300) return { attempts, waitedMs: Date.now() - started };
    if (Date.now() - started + intervalMs > timeoutMs) {
      const said = typeof answer === 'number' ? `HTTP ${answer}` : answer;
      throw new Error(`${url} did not answer 2xx within ${timeoutMs / 1000} s (${attempts} tries; last: ${said})`);
    }
    await sleep(intervalMs);
  }
}
