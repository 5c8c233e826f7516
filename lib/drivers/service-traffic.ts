import type { Tally } from './answers.ts';
import { requestLoopScript, tallyAnswers } from './answers.ts';
import type { InClusterClient } from './in-cluster-client.ts';
import { runInClient } from './in-cluster-client.ts';
import type { Polled } from './poll.ts';
import { pollUntil } from './poll.ts';

/** Sends `requests` GETs to an agnhost /hostname URL from inside the cluster; tallies who answered. */
export async function sendRequests(client: InClusterClient, url: string, requests: number): Promise<Tally> {
  const { stdout } = await runInClient(client, ['sh', '-c', requestLoopScript(url, requests)], requests * 5_000);
  return tallyAnswers(stdout);
}

/** Sends bursts until `hostname` answers at least once: kube-proxy programs new endpoints a moment late. */
export function awaitAnswerFrom(client: InClusterClient, url: string, hostname: string,
  timeoutMs = 60_000): Promise<Polled<Tally>> {
  return pollUntil({
    description: `${hostname} to answer requests to ${url}`,
    probe: () => sendRequests(client, url, 10),
    done: (tally) => (tally.byHostname[hostname] ?? 0) > 0,
    timeoutMs, intervalMs: 1000,
  });
}
