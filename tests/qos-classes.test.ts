import type { QosEvidence, QosTier } from '../lib/kit/index.ts';
import {
  lacksCapSysResource, oomScoreAdjFor, podRunning, pods, qosEvidence, qosMismatches, readContainerLimits, readNodeResources,
  readPod, runCase, serverIsLocal, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'QoS classes are assigned and applied by the kubelet';
const t = useTestNamespace('qos-classes');

// This machine's offline nodes run every container through a runtime shim that raises a negative oom_score_adj
// to 0, because the host lacks CAP_SYS_RESOURCE (see lib/kit/oom-score.ts). That holds for a cluster on this
// host only; anywhere else the kubelet's values are expected as they are.
let runtimeClamps = false;

async function evidenceOf(pod: string): Promise<QosEvidence> {
  const [found, nodes] = await Promise.all([readPod(t, pod), readNodeResources(t)]);
  const node = nodes.find((n) => n.name === found.spec?.nodeName);
  if (!node) throw new Error(`pod ${pod} is on node ${found.spec?.nodeName}, which the API does not list`);
  return qosEvidence(found, 'idle', await readContainerLimits(t, pod, 'idle'), node.capacityBytes, runtimeClamps);
}

function record(seen: Record<string, unknown>, evidence: QosEvidence, tier: QosTier): void {
  const oom = oomScoreAdjFor(evidence, tier);
  Object.assign(seen, {
    qosClass: evidence.qosClass, cgroupPath: evidence.cgroupPath, cgroupTier: evidence.cgroupTier ?? 'not visible',
    oomScoreAdjObserved: evidence.oomScoreAdj, oomScoreAdjKubelet: oom.kubelet, oomScoreAdjExpectedHere: oom.here,
    runtimeClampsNegativeOomScoreAdj: evidence.runtimeClampsNegative,
    memoryRequestBytes: evidence.memoryRequestBytes, nodeMemoryCapacityBytes: evidence.nodeMemoryCapacityBytes,
    memoryLimitBytes: evidence.memoryLimitBytes ?? 'unlimited', cpuWeight: evidence.cpuWeight,
  });
  if (oom.here !== oom.kubelet) {
    process.stderr.write(`[wc] NOTE ${evidence.pod}: the kubelet asks oom_score_adj ${oom.kubelet} for ${tier}; ` +
      `this machine's runtime shim raises it to ${oom.here} (the host lacks CAP_SYS_RESOURCE, so no process here can ` +
      `set a negative value). Observed: ${evidence.oomScoreAdj}. On an unadapted node ${oom.kubelet} would show.\n`);
  }
}

beforeAll(async () => {
  runtimeClamps = lacksCapSysResource() && serverIsLocal(t.kube.kc.getCurrentCluster()?.server);
  await t.apply('qos-classes.yaml');
  await waitFor({ ...pods(t.kube, t.ns, { labelSelector: 'app.kubernetes.io/name=qos-classes' }),
    description: 'the four qos-classes pods to run', predicate: podRunning(4), timeoutMs: 120_000 });
});

test.each([
  ['Guaranteed', 'qos-guaranteed'],
  ['Burstable', 'qos-burstable'],
  ['BestEffort', 'qos-best-effort'],
] as const)('a pod built to be %s gets that qosClass, and the kubelet runs it in that class\'s cgroup tier with ' +
  'its oom_score_adj, memory limit and CPU weight', async (tier, pod) => {
  await runCase(BEHAVIOUR, `${pod}: ${tier}`, async (seen) => {
    const evidence = await evidenceOf(pod);
    record(seen, evidence, tier);
    expect(qosMismatches(evidence, tier)).toEqual([]);
  });
});

test('a pod one figure short of Guaranteed (CPU request below its limit) is Burstable, and the Guaranteed check ' +
  'names what differs', async () => {
  await runCase(BEHAVIOUR, 'control: qos-almost-guaranteed', async (seen) => {
    const evidence = await evidenceOf('qos-almost-guaranteed');
    record(seen, evidence, 'Burstable');
    const asGuaranteed = qosMismatches(evidence, 'Guaranteed');
    Object.assign(seen, { guaranteedCheckSays: asGuaranteed });
    expect(qosMismatches(evidence, 'Burstable')).toEqual([]);
    expect(asGuaranteed).toEqual(expect.arrayContaining([
      expect.stringMatching(/^status.qosClass is Burstable/),
      expect.stringMatching(/^oom_score_adj is/),
    ]));
  });
});
