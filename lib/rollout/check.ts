// One rolling-update check end to end, as a test calls it: run the rollout under load (load placed on
// the host or in the cluster), derive the figures, write the report files, give the zero-loss verdict.
import type { TestNamespace } from '../kit/fixture.ts';
import type { RolloutSettings } from '../run/config-rollout.ts';
import { rolloutSettings } from '../run/config-rollout.ts';
import { NODE_PORT } from './constants.ts';
import { rollingUpdate, runRollout, type Disruption, type RolloutRun, type RolloutService } from './driver.ts';
import { placeLoad, type Placement } from './load/placement.ts';
import { nodeAddressForHost, rolloutNodePort } from './node-port.ts';
import type { Kube } from '../kit/kube.ts';
import { startPodLoad } from './load/pod-source.ts';
import { rolloutOutcome, type RolloutOutcome } from './outcome.ts';
import { writeRolloutReport, type RolloutFiles } from './report/rollout-files.ts';
import type { WorkloadSpec } from './spec.ts';
import { zeroLossVerdict, type Verdict } from './verdict.ts';

export interface CheckResult {
  run: RolloutRun;
  outcome: RolloutOutcome;
  verdict: Verdict;
  files: RolloutFiles;
}

/** The settings a case of `t`'s run takes from the environment (the cluster's mode decides its NodePort: node-port.ts). */
const settingsOf = (t: TestNamespace): RolloutSettings => rolloutSettings(process.env, t.run.kindConfigPath, t.run.images.loadgen, t.run.mode);

/**
 * The host's target for the Service: the settings' one (kind's mapping, or WC_ROLLOUT_TARGET), else a node's address
 * at the NodePort the API allocated (an existing cluster), said so for the messages.
 */
async function hostTargetOf(kube: Kube, settings: RolloutSettings, service: RolloutService): Promise<Pick<Placement, 'hostTarget' | 'allocated'>> {
  if (settings.hostTarget !== undefined) return { hostTarget: settings.hostTarget };
  const node = nodeAddressForHost((await kube.core.listNode()).items);
  const allocated = `NodePort ${service.nodePort} allocated by the API`;
  return node ? { hostTarget: `http://${node.address}:${service.nodePort}`, allocated: `node ${node.node}'s address, ${allocated}` }
    : { allocated };
}

export async function rolloutCheck(t: TestNamespace, caseName: string, title: string, spec: WorkloadSpec,
  settings: RolloutSettings = settingsOf(t), disruption: Disruption = rollingUpdate): Promise<CheckResult> {
  const { kube, ns } = t;
  const { plan } = settings;
  const apply = (file: string, vars: Record<string, string>) => t.apply(file, vars);
  const run = await runRollout({
    kube,
    ns,
    apply,
    nodePort: rolloutNodePort(settings.where, settings.hostTarget, NODE_PORT),
    startLoad: async (load, service) => placeLoad(load, {
      where: settings.where,
      clusterMode: t.run.mode,
      ...(settings.where === 'pod' ? {} : await hostTargetOf(kube, settings, service)),
      startPod: (s) => startPodLoad({ kube, ns, apply, image: settings.loadgenImage, pods: settings.loadPods },
        { ...s, target: `http://${service.name}.${ns}.svc.cluster.local` }),
    }),
  }, spec, plan, undefined, disruption);
  const outcome = rolloutOutcome(caseName, run);
  const files = await writeRolloutReport(t.run.reportsDir, title, run, outcome);
  return { run, outcome, verdict: zeroLossVerdict(outcome, plan.minRequestsPerMode, spec.to.name), files };
}

/**
 * The same settings with the load on this machine, through the NodePort, and nowhere else: for a case whose title
 * says the load came from the host (no fall-back to the in-cluster generator; an unreachable NodePort fails it, saying so).
 */
export function hostLoad(t: TestNamespace): RolloutSettings {
  return { ...settingsOf(t), where: 'host' };
}

/**
 * The same settings with the load forced into the in-cluster generator pod (WC_ROLLOUT_LOAD=pod); its Service takes a
 * NodePort the API allocates, so these cases never wait for another run's hold on the fixed one.
 */
export function inClusterLoad(t: TestNamespace): RolloutSettings {
  return { ...settingsOf(t), where: 'pod' };
}
