// Can the test process reach the Service through the NodePort? Asked until it answers or the deadline
// passes, because the NodePort rule appears a moment after the endpoints do (kube-proxy syncs at most
// once a second).
import { answered2xx, awaitFromHost } from '../../kit/node-ports.ts';
import { PollTimeoutError } from '../../kit/poll.ts';

export async function reachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    await awaitFromHost(url, answered2xx, timeoutMs, { intervalMs: 250, requestTimeoutMs: 1000 });
    return true;
  } catch (err) {
    if (err instanceof PollTimeoutError) return false;
    throw err;
  }
}
