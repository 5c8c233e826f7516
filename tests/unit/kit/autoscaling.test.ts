import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { cpuUtilization, hpaStaysAt, ScaleRecorder } from '../../../lib/kit/autoscaling.ts';

function hpa(utilization: number | undefined, desiredReplicas: number, currentReplicas = desiredReplicas): V2HorizontalPodAutoscaler {
  return {
    spec: { maxReplicas: 4, scaleTargetRef: { kind: 'Deployment', name: 'x' } },
    status: { desiredReplicas, currentReplicas,
      currentMetrics: utilization === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: utilization } } }] },
  };
}

describe('HPA readings', () => {
  test('the CPU utilization is the Resource cpu metric the HPA last computed', () => {
    expect(cpuUtilization(hpa(480, 4))).toBe(480);
    expect(cpuUtilization(hpa(undefined, 1))).toBeUndefined();
    expect(cpuUtilization(undefined)).toBeUndefined();
  });

  test('staying at 1 holds while the HPA wants and has 1, also in a sync that missed the metrics', () => {
    expect(hpaStaysAt(1)([hpa(4, 1)])).toMatchObject({ holds: true });
    expect(hpaStaysAt(1)([hpa(undefined, 1)])).toMatchObject({ holds: true });
    expect(hpaStaysAt(1)([hpa(400, 4, 1)])).toEqual({ holds: false, reason: 'the HPA wants 4 and has 1 replicas at 400% CPU' });
    expect(hpaStaysAt(1)([hpa(undefined, 2)])).toEqual({ holds: false, reason: 'the HPA wants 2 and has 2 replicas at (unknown)% CPU' });
    expect(hpaStaysAt(1)([])).toEqual({ holds: false, reason: 'the HPA does not exist' });
  });
});

describe('ScaleRecorder', () => {
  test('records each change of replicas once, in seconds from its start, ignoring repeats and unknowns', () => {
    const recorder = new ScaleRecorder(1000, 1);
    recorder.see(1, 5000);
    recorder.see(undefined, 6000);
    recorder.see(4, 31_240);
    recorder.see(4, 32_000);
    recorder.see(2, 47_000);
    expect(recorder.steps).toEqual([{ from: 1, to: 4, afterSeconds: 30.2 }, { from: 4, to: 2, afterSeconds: 46 }]);
  });

  test('without a starting figure the first one seen is the start, not a step', () => {
    const recorder = new ScaleRecorder(0);
    recorder.see(3, 1000);
    recorder.see(1, 2000);
    expect(recorder.steps).toEqual([{ from: 3, to: 1, afterSeconds: 2 }]);
  });
});
