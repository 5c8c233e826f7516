import type { CpuWindow } from '../lib/kit/index.ts';
import { containerHistory, measureCpu, podRunning, pods, readPod, runCase, useTestNamespace, waitFor } from '../lib/kit/index.ts';

const BEHAVIOUR = 'A CPU limit throttles, it does not kill';
const t = useTestNamespace('cpu-limits');

// The limit in manifests/cpu-limits.yaml, and the window both containers are measured over, together: 100 CFS
// periods of 100 ms, inside the 30 s each container burns.
const LIMIT_MILLICORES = 200;
const WINDOW_SECONDS = 10;
// The kernel enforces the quota per 100 ms period, so over 10 s a container gets at most the limit plus a little
// (the bandwidth slice it may overrun by): 10 % above the limit is the tolerance.
const MAX_OVER_LIMIT = 1.1;
// This 2-core machine is shared with other engineers' runs, and the whole kind node competes with their
// processes: what the unlimited loop gets is what the machine has left (1000m when idle; 344m was seen at a load
// average of 13). The control's margin is therefore the bound the limited container met, not a fixed multiple:
// it must use more than 110 % of the limit, in the same window, under the same contention. Its multiple of the
// limit is reported.
const CONTROL_MIN = LIMIT_MILLICORES * MAX_OVER_LIMIT;

let measured: Promise<{ limited: CpuWindow; unlimited: CpuWindow }>;

beforeAll(async () => {
  await t.apply('cpu-limits.yaml');
  await waitFor({ ...pods(t.kube, t.ns, { labelSelector: 'app.kubernetes.io/name=cpu-limits' }),
    description: 'both burners to run', predicate: podRunning(2), timeoutMs: 120_000 });
  // Both containers over the same 10 s, so both see the same machine; each test reports its own figures.
  measured = Promise.all([
    measureCpu(t, 'burns-cpu-limited', 'burner', WINDOW_SECONDS),
    measureCpu(t, 'burns-cpu-unlimited', 'burner', WINDOW_SECONDS),
  ]).then(([limited, unlimited]) => ({ limited, unlimited }));
  measured.catch(() => undefined); // awaited (and reported) by each test
});

function report(seen: Record<string, unknown>, window: CpuWindow): void {
  Object.assign(seen, {
    cgroup: window.cgroup, wallSeconds: Number(window.wallSeconds.toFixed(2)), cpuSeconds: Number(window.cpuSeconds.toFixed(3)),
    usedMillicores: window.usedMillicores, timesLimit: Number((window.usedMillicores / LIMIT_MILLICORES).toFixed(2)),
    cfsQuotaMillicores: window.quotaMillicores ?? 'none (unlimited)', periods: window.periods,
    throttledPeriods: window.throttledPeriods, throttledSeconds: Number(window.throttledSeconds.toFixed(3)),
  });
}

test(`a CPU-bound container limited to ${LIMIT_MILLICORES}m gets at most 110% of it over ${WINDOW_SECONDS} s by the ` +
  'kernel\'s accounting, is throttled (nr_throttled grows), and is not killed', async () => {
  await runCase(BEHAVIOUR, `burns-cpu-limited: ${LIMIT_MILLICORES}m limit`, async (seen) => {
    const { limited } = await measured;
    const history = containerHistory(await readPod(t, 'burns-cpu-limited'), 'burner');
    report(seen, limited);
    Object.assign(seen, { throttledShare: Number((limited.throttledPeriods / limited.periods).toFixed(2)),
      restartCount: history.restartCount });
    process.stderr.write(`[wc] limited: ${JSON.stringify(seen)}\n`);
    expect(limited.quotaMillicores).toBe(LIMIT_MILLICORES);
    expect(limited.usedMillicores).toBeLessThanOrEqual(LIMIT_MILLICORES * MAX_OVER_LIMIT);
    expect(limited.throttledPeriods).toBeGreaterThan(0);
    expect(limited.throttledSeconds).toBeGreaterThan(0);
    expect(history.restartCount).toBe(0);
    expect(history.lastTermination).toBeUndefined();
  });
});

test(`the same container without a CPU limit (requesting 200m, twice the limited one's request, so CPU weight favours it on a busy machine), in the same window, has no CFS quota, is never throttled and uses more ` +
  `than 110% of ${LIMIT_MILLICORES}m (the bound the limited one met)`, async () => {
  await runCase(BEHAVIOUR, 'control: burns-cpu-unlimited', async (seen) => {
    const { limited, unlimited } = await measured;
    report(seen, unlimited);
    Object.assign(seen, { limitedUsedMillicoresSameWindow: limited.usedMillicores });
    process.stderr.write(`[wc] unlimited: ${JSON.stringify(seen)}\n`);
    expect(unlimited.quotaMillicores).toBeUndefined();
    expect(unlimited.throttledPeriods).toBe(0);
    // The limited container's bound fails here.
    expect(unlimited.usedMillicores).toBeGreaterThan(CONTROL_MIN);
  });
});
