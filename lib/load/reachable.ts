// Can the test process reach the Service through the NodePort? Asked until it answers or the deadline
// passes, because the NodePort rule appears a moment after the endpoints do (kube-proxy syncs at most
// once a second).
import { request } from 'undici';
import { pollUntil, PollTimeoutError } from '../drivers/poll.ts';

async function answers(url: string): Promise<boolean> {
  try {
    const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000, reset: true });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}

export async function reachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    await pollUntil({ description: `${url} to answer`, probe: () => answers(url), done: (ok) => ok, timeoutMs, intervalMs: 250 });
    return true;
  } catch (err) {
    if (err instanceof PollTimeoutError) return false;
    throw err;
  }
}
