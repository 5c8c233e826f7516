import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { offsetOf, onNodeClock, parseClock, secondsTo } from '../../../lib/kit/clock.ts';
import { kubeletKilling, sinceKubeletActed, terminatedWhileDeleting } from '../../../lib/kit/pod-exit.ts';

const pod = (deleting: boolean, terminated?: { exitCode: number; message?: string }): V1Pod => ({
  metadata: { name: 'w', ...(deleting ? { deletionTimestamp: new Date() } : {}) },
  status: { containerStatuses: [{ name: 'worker', image: 'b', imageID: '', ready: false, restartCount: 0,
    state: terminated ? { terminated } : { running: {} } }] },
});

describe('terminatedWhileDeleting', () => {
  it('must be done with the terminated state once the pod is being deleted', () => {
    const outcome = terminatedWhileDeleting('worker')([pod(true, { exitCode: 0, message: '1.0 exit' })]);
    expect(outcome).toMatchObject({ done: true, value: { terminated: { exitCode: 0, message: '1.0 exit' } } });
  });

  it('must wait while the container runs and be fatal when the pod goes before its end was reported', () => {
    const predicate = terminatedWhileDeleting('worker');
    expect(predicate([])).toMatchObject({ done: false });
    expect(predicate([pod(false)])).toMatchObject({ done: false, note: 'not deleted yet' });
    expect(predicate([pod(true)])).toMatchObject({ done: false, note: 'worker still running, pod terminating' });
    expect(predicate([])).toEqual({ fatal: 'the pod was removed before worker\'s termination was reported' });
  });
});

const killing = (over: Partial<CoreV1Event> & { uid?: string; container?: string } = {}): CoreV1Event => {
  const { uid = 'u1', container = 'worker', ...rest } = over;
  return { metadata: {}, reason: 'Killing', message: `Stopping container ${container}`, firstTimestamp: new Date('2026-12-05T03:38:02Z'),
    involvedObject: { kind: 'Pod', name: 'w', uid, fieldPath: `spec.containers{${container}}` }, ...rest };
};

describe('the kubelet\'s Killing event', () => {
  it('must be the pod\'s own (by uid) and the container\'s, the earliest when several, by eventTime when it has one', () => {
    const events = [
      killing({ uid: 'old', firstTimestamp: new Date('2026-12-05T03:30:00Z') }),
      killing({ container: 'sidecar', firstTimestamp: new Date('2026-12-05T03:37:00Z') }),
      killing({ reason: 'Started', firstTimestamp: new Date('2026-12-05T03:36:00Z') }),
      killing({ firstTimestamp: new Date('2026-12-05T03:38:09Z') }),
      killing(),
    ];
    expect(kubeletKilling(events, 'u1', 'worker')).toEqual({ atMs: Date.parse('2026-12-05T03:38:02Z'), message: 'Stopping container worker' });
    expect(kubeletKilling([killing({ eventTime: new Date('2026-12-05T03:38:02.345678Z') })], 'u1', 'worker')?.atMs)
      .toBe(Date.parse('2026-12-05T03:38:02.345Z'));
    expect(kubeletKilling(events.slice(0, 3), 'u1', 'worker')).toBeUndefined();
    // An earlier run of the container killed by its liveness probe is no act on the delete.
    const probeKill = killing({ message: 'Container worker failed liveness probe, will be restarted', firstTimestamp: new Date('2026-12-05T03:37:50Z') });
    expect(kubeletKilling([probeKill, killing()], 'u1', 'worker')?.message).toBe('Stopping container worker');
    expect(kubeletKilling([probeKill], 'u1', 'worker')).toBeUndefined();
  });
});

describe('intervals from the kubelet\'s act on a delete', () => {
  // The node's clock (the Killing event, the container's marks, finishedAt) and this process's differ by 90 s either
  // way: the Exit's client times move, the intervals do not, for none of them is taken from the client's clock.
  const act = { atMs: Date.parse('2026-12-05T03:38:02Z'), message: 'Stopping container worker' };
  const sigtermMarkMs = Date.parse('2026-12-05T03:38:05.734Z');
  const finishedAtMs = Date.parse('2026-12-05T03:38:07Z');

  it('must take a mark\'s interval on the node\'s clock alone, the same whatever the client\'s clock says', () => {
    for (const skewMs of [90_000, -90_000, 0]) {
      const exit = { kubeletActed: act, deleteSentAtMs: act.atMs - 400 - skewMs, observedAtMs: finishedAtMs + 300 - skewMs };
      expect(sinceKubeletActed(exit.kubeletActed, sigtermMarkMs)).toBeCloseTo(3.734, 6);
      // The watch's delete-to-exit is the client's clock alone: no skew in it either.
      expect((exit.observedAtMs - exit.deleteSentAtMs) / 1000).toBeCloseTo(5.7, 6);
    }
  });

  it('must give the most the interval can be: the Killing event and finishedAt are truncated to the second', () => {
    // The kubelet acted in [03:38:02, 03:38:03); the container ended in [03:38:07, 03:38:08): at most 6 s apart.
    expect(sinceKubeletActed(act, finishedAtMs, 1000)).toBe(6);
    // A kubelet that waited its 4 s from its act shows at least 4 here; one that kept a 20 s deadline cannot show under 20.
    expect(sinceKubeletActed(act, act.atMs + 999 + 4000, 1000)).toBeGreaterThanOrEqual(4);
  });
});

// A fake cluster whose node clock runs `skewMs` ahead of this process's (negative: behind). The container's clock is
// read `readLagMs` after the exec was sent, which comes back `roundTripMs` after it was sent.
function fakeRead(skewMs: number, sentAtHostMs: number, readLagMs: number, roundTripMs: number) {
  return offsetOf(sentAtHostMs + readLagMs + skewMs, sentAtHostMs, sentAtHostMs + roundTripMs);
}

describe('the node\'s clock', () => {
  it('must read busybox ts output, and nothing else, as the container\'s clock', () => {
    expect(parseClock('1796436304.123456 clock\n')).toBeCloseTo(1_796_436_304_123.456, 3);
    expect(parseClock('1796436304 clock')).toBe(1_796_436_304_000);
    expect(parseClock('sh: ts: not found')).toBeUndefined();
  });

  it('must put a client moment on the node\'s clock as a bracket that holds the true moment wherever in the round trip the read was', () => {
    const sightAtHostMs = 50_000;
    for (const skewMs of [90_000, -90_000, 0]) {
      for (const readLagMs of [0, 100, 399, 400]) {
        const moment = onNodeClock(sightAtHostMs, fakeRead(skewMs, 51_000, readLagMs, 400));
        const trueMs = sightAtHostMs + skewMs;
        expect(moment.earliestMs).toBeLessThanOrEqual(trueMs);
        expect(moment.latestMs).toBeGreaterThanOrEqual(trueMs);
        expect(moment.latestMs - moment.earliestMs).toBe(400);
      }
    }
  });

  it('must time a client\'s first sight after a node mark the same under a +90 s and a -90 s skew, the least never above the truth', () => {
    // Marked "loaded" at node time; the client's watch saw Ready 0.8 s later; the clock read after that, 200 ms
    // round trip, the read 150 ms in.
    const spans = [90_000, -90_000].map((skewMs) => secondsTo(70_000 + skewMs, onNodeClock(70_800, fakeRead(skewMs, 71_000, 150, 200))));
    expect(spans[0]).toEqual(spans[1]);
    expect(spans[0]!.least).toBeCloseTo(0.75, 6);
    expect(spans[0]!.most).toBeCloseTo(0.95, 6);
    // A slow round trip widens the span upwards only: "seen no sooner than the mark" keeps its least.
    expect(secondsTo(70_000 + 90_000, onNodeClock(70_800, fakeRead(90_000, 71_000, 2_950, 3_000))).least).toBeCloseTo(0.75, 6);
  });

  it('must never pass a sight that came before the mark, whatever the skew and the round trip', () => {
    for (const skewMs of [90_000, -90_000]) {
      for (const [readLagMs, roundTripMs] of [[10, 200], [2_990, 3_000], [0, 3_000]] as const) {
        const span = secondsTo(70_000 + skewMs, onNodeClock(69_900, fakeRead(skewMs, 71_000, readLagMs, roundTripMs)));
        expect(span.least).toBeLessThan(0);
      }
    }
  });
});
