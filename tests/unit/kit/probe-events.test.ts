import type { CoreV1Event } from '@kubernetes/client-node';
import { livenessEvidence, showsLivenessRestart } from '../../../lib/kit/events.ts';

function event(pod: string, reason: string, message: string): CoreV1Event {
  return { metadata: {}, involvedObject: { kind: 'Pod', name: pod }, reason, message };
}

describe('livenessEvidence', () => {
  const events = [
    event('fails', 'Unhealthy', 'Liveness probe failed: cat: can\'t open \'/tmp/health\': No such file'),
    event('fails', 'Killing', 'Container app failed liveness probe, will be restarted'),
    event('passes', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 412'),
    event('passes', 'Killing', 'Stopping container app'),
  ];

  test('finds the Unhealthy and Killing events of a liveness restart', () => {
    expect(showsLivenessRestart(livenessEvidence(events, 'fails'))).toBe(true);
  });

  test('readiness failures and ordinary stops are not liveness evidence', () => {
    expect(livenessEvidence(events, 'passes')).toEqual({ unhealthy: [], killing: [] });
    expect(showsLivenessRestart(livenessEvidence(events, 'passes'))).toBe(false);
  });
});
