import type { HpaReading, HpaWindow } from '../lib/kit/index.ts';
import {
  awaitHpaDecision, awaitHpaMetrics, awaitMetricsApi, awaitPod, awaitReplicas, hpaHoldsAt, podCpuUsage, podReady, pods,
  retrying, runCase, ScaleRecorder, TIMEOUTS, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'A HorizontalPodAutoscaler scales on CPU';
const t = useTestNamespace('autoscaling');

// At least this many replicas under load (the HPA may go to its maximum, 4).
const SCALED_UP = 3;
// The control is watched over three of the HPA controller's 15 s sync periods after it first computed a
// utilization. Its window starts from the setup and runs while the other test warms up and loads hpa-target (the
// same machine at about the same time, only the load differs), so it adds no time of its own. (The
// controller writes an HPA's status only when something changed, so a quiet HPA shows few updates: any scaling
// would show, since every change of the object is watched.)
const CONTROL_WINDOW_MS = 45_000;

let control: Promise<{ first: HpaReading; held: HpaWindow }>;

beforeAll(async () => {
  // The run's setup installs metrics-server when the cluster lacks it; this waits for the API it serves (the
  // setup's own budget, started before this file was).
  await awaitMetricsApi(t.kube, TIMEOUTS.addOn);
  await t.apply('autoscaling.yaml');
  await waitFor({ ...pods(t.kube, t.ns, { labelSelector: 'app.kubernetes.io/name in (hpa-target,hpa-idle)' }),
    description: 'one hpa-target and one hpa-idle pod to be Ready', predicate: podReady(2), timeoutMs: 120_000 });
  control = awaitHpaMetrics(t, 'hpa-idle').then(async (first) => ({ first, held: await hpaHoldsAt(t, 'hpa-idle', 1, CONTROL_WINDOW_MS) }));
  control.catch(() => undefined); // awaited (and reported) by the control's test
});

test(`CPU load from inside the cluster drives the HPA from 1 to at least ${SCALED_UP} replicas, and it scales back ` +
  'to 1 once the load stops', async () => {
  await runCase(BEHAVIOUR, 'hpa-target: load, then none', async (seen) => {
    // Time the reaction to load, not the warm-up: the HPA must already compute a utilization from metrics.k8s.io.
    const warm = Date.now();
    const idle = await awaitHpaMetrics(t, 'hpa-target');
    Object.assign(seen, { hpaWarmUpSeconds: (Date.now() - warm) / 1000, utilizationBeforeLoad: idle.utilization });

    await t.apply('autoscaling-load.yaml');
    await awaitPod(t, 'cpu-load', podReady(), 'the cpu-load pod to have a request served (Ready)', 60_000);
    const up = new ScaleRecorder(Date.now(), 1);
    await awaitReplicas(t, 'hpa-target', (n) => n >= SCALED_UP, `to at least ${SCALED_UP} replicas`, up);
    const decidedUp = await awaitHpaDecision(t, 'hpa-target', (n) => n >= SCALED_UP, `at least ${SCALED_UP} replicas`);
    Object.assign(seen, { scaleUpSteps: up.steps, utilizationAtScaleUp: decidedUp.utilization,
      podCpuMillicoresUnderLoad: await podCpuUsage(t, 'app.kubernetes.io/name=hpa-target') });
    process.stderr.write(`[wc] scale-up steps after load start: ${JSON.stringify(up.steps)}\n`);

    await retrying('stopping the load', () => t.kube.core.deleteNamespacedPod({ name: 'cpu-load', namespace: t.ns,
      gracePeriodSeconds: 0 }));
    const down = new ScaleRecorder(Date.now(), up.steps.at(-1)?.to);
    await awaitReplicas(t, 'hpa-target', (n) => n === 1, 'back to 1 replica', down);
    const decidedDown = await awaitHpaDecision(t, 'hpa-target', (n) => n === 1, '1 replica');
    Object.assign(seen, { scaleDownSteps: down.steps, utilizationAtScaleDown: decidedDown.utilization });
    process.stderr.write(`[wc] scale-down steps after load stop: ${JSON.stringify(down.steps)}\n`);

    expect(Math.max(...up.steps.map((s) => s.to))).toBeGreaterThanOrEqual(SCALED_UP);
    expect(down.steps.at(-1)?.to).toBe(1);
  });
});

test(`the same HPA without load stays at 1 replica over a watched ${CONTROL_WINDOW_MS / 1000} s window (three HPA ` +
  'sync periods) while it reads its pod\'s CPU from metrics.k8s.io', async () => {
  await runCase(BEHAVIOUR, 'control: hpa-idle, no load', async (seen) => {
    const { first, held } = await control;
    const usage = await podCpuUsage(t, 'app.kubernetes.io/name=hpa-idle');
    Object.assign(seen, { utilizationBeforeWindow: first.utilization, utilizationsInWindow: held.utilizations,
      windowSeconds: held.observedMs / 1000, hpaStatusUpdatesSeen: held.observations - 1, replicas: held.value?.status?.currentReplicas,
      podCpuMillicoresAtEnd: usage });
    // The HPA was reading metrics (not blind) while it stayed at 1.
    expect(held.utilizations.length).toBeGreaterThanOrEqual(1);
    expect(held.value?.status?.desiredReplicas).toBe(1);
    // The scale-up check fails here: the HPA never went past 1.
    expect(held.value?.status?.currentReplicas).toBeLessThan(SCALED_UP);
  });
});
