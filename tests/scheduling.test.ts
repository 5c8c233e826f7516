import type { SchedulingResource } from '../lib/kit/index.ts';
import {
  awaitFailedScheduling, awaitPod, awaitUnschedulable, bytes, formatBytes, largestAllocatable, millicores, podRunning,
  readFailedScheduling, readNodeResources, runCase, staysUnschedulable, unschedulableFor, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Requests that fit no node stay Pending';
const t = useTestNamespace('scheduling');

// The scheduler retries an unschedulable pod with a back-off of at most 10 s (podMaxBackoffSeconds), so a window
// of twice that spans the scheduler's retry period twice over; the pod is watched, not glanced at, throughout.
const WINDOW_MS = 20_000;
// What the control pod requests (manifests/scheduling.yaml).
const FITS = { cpu: '10m', memory: '16Mi' };

let largest: { millicores: number; bytes: number };
let asked: Record<SchedulingResource, string>;

beforeAll(async () => {
  const nodes = await readNodeResources(t);
  largest = largestAllocatable(nodes);
  asked = { cpu: `${largest.millicores + 1000}m`, memory: formatBytes(largest.bytes + 2 ** 30) };
  process.stderr.write(`[wc] nodes allocate at most ${largest.millicores}m CPU and ${formatBytes(largest.bytes)} memory ` +
    `(${nodes.map((n) => n.name).join(', ')}); asking for ${asked.cpu} CPU and ${asked.memory} memory\n`);
  await t.apply('scheduling.yaml', { TOO_MUCH_CPU: asked.cpu, TOO_MUCH_MEMORY: asked.memory });
});

test.each([
  ['CPU', 'cpu', 'requests-too-much-cpu'],
  ['memory', 'memory', 'requests-too-much-memory'],
] as const)('a pod requesting more %s than any node can allocate stays Pending with PodScheduled=False (Unschedulable) ' +
  'and a FailedScheduling event naming the resource, throughout a watched 20 s window', async (_, resource, pod) => {
  await runCase(BEHAVIOUR, `${pod}: more ${resource} than any node allocates`, async (seen) => {
    Object.assign(seen, { requested: asked[resource],
      largestAllocatable: resource === 'cpu' ? `${largest.millicores}m` : formatBytes(largest.bytes) });
    const first = await awaitUnschedulable(t, pod, resource);
    const before = await awaitFailedScheduling(t, pod, resource);
    const held = await staysUnschedulable(t, pod, resource, WINDOW_MS);
    const after = await readFailedScheduling(t, pod, resource);
    // The event's count is how often the scheduler tried and failed: its growth over the window shows retries
    // (reported, not required: the scheduler retries on cluster changes and back-off, not on a fixed clock).
    Object.assign(seen, { conditionMessage: first.message, windowSeconds: held.observedMs / 1000, podUpdatesInWindow: held.observations - 1,
      phaseAtEnd: held.value?.phase, failedScheduling: after?.message, failedSchedulingCountBefore: before.count,
      failedSchedulingCountAfter: after?.count });
    expect(held.value?.phase).toBe('Pending');
    expect(held.observedMs).toBeGreaterThanOrEqual(WINDOW_MS - 1000);
    expect(after?.message).toMatch(new RegExp(`Insufficient ${resource}`));
  });
});

test('the same pod requesting what fits is scheduled and runs (and the Unschedulable check rejects it)', async () => {
  await runCase(BEHAVIOUR, 'control: requests-what-fits', async (seen) => {
    expect(millicores(FITS.cpu)).toBeLessThan(largest.millicores);
    expect(bytes(FITS.memory)).toBeLessThan(largest.bytes);
    const [pod] = await awaitPod(t, 'requests-what-fits', podRunning(), 'requests-what-fits to be scheduled and run');
    const verdicts = (['cpu', 'memory'] as const).map((r) => unschedulableFor(r)([pod!]));
    Object.assign(seen, { requested: FITS, node: pod!.spec?.nodeName, phase: pod!.status?.phase,
      positiveCheckSays: verdicts.map((v) => (v.holds ? 'holds' : v.reason)) });
    expect(pod!.spec?.nodeName).toBeTruthy();
    expect(pod!.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    expect(verdicts.every((v) => !v.holds)).toBe(true);
  });
});
