// Who answered a burst of requests sent from inside the cluster. agnhost's /hostname answers with the pod's
// name, so the tally says which backends a Service actually sent traffic to.

export interface Tally {
  byHostname: Record<string, number>;
  failures: number;
  requests: number;
}

const FAILED = '!failed';

/** A busybox shell loop: one line per request, the answer or a failure marker (wget has no timeout flag here). */
export function requestLoopScript(url: string, requests: number, perRequestTimeoutSeconds = 3): string {
  return `i=0; while [ $i -lt ${requests} ]; do ` +
    `timeout ${perRequestTimeoutSeconds} wget -qO- '${url}' 2>/dev/null || printf '${FAILED}'; echo; ` +
    'i=$((i+1)); done';
}

export function tallyAnswers(stdout: string): Tally {
  const tally: Tally = { byHostname: {}, failures: 0, requests: 0 };
  for (const line of stdout.split('\n')) {
    const answer = line.trim();
    if (answer === '') continue;
    tally.requests += 1;
    // A request that timed out half-way may have printed part of an answer before the marker.
    if (answer.endsWith(FAILED)) tally.failures += 1;
    else tally.byHostname[answer] = (tally.byHostname[answer] ?? 0) + 1;
  }
  return tally;
}
