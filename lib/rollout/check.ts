// One rolling-update check end to end, as a test calls it: run the rollout under load (load placed on
// the host or in the cluster), derive the figures, write the report files, give the zero-loss verdict.
import type { TestNamespace } from '../kit/fixture.ts';
import type { RolloutSettings } from '../run/config-rollout.ts';
import { rolloutSettings } from '../run/config-rollout.ts';
import { runRollout, type RolloutRun } from './driver.ts';
import { placeLoad } from './load/placement.ts';
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

export async function rolloutCheck(t: TestNamespace, caseName: string, title: string, spec: WorkloadSpec,
  settings: RolloutSettings = rolloutSettings(process.env, t.run.kindConfigPath, t.run.images.loadgen)): Promise<CheckResult> {
  const { kube, ns } = t;
  const { plan } = settings;
  const apply = (file: string, vars: Record<string, string>) => t.apply(file, vars);
  const run = await runRollout({
    kube,
    ns,
    apply,
    startLoad: (load, service) => placeLoad(load, {
      where: settings.where,
      clusterMode: t.run.mode,
      hostTarget: settings.hostTarget,
      startPod: (s) => startPodLoad({ kube, ns, apply, image: settings.loadgenImage }, { ...s, target: `http://${service}.${ns}.svc.cluster.local` }),
    }),
  }, spec, plan);
  const outcome = rolloutOutcome(caseName, run);
  const files = await writeRolloutReport(t.run.reportsDir, title, run, outcome);
  return { run, outcome, verdict: zeroLossVerdict(outcome, plan.minRequestsPerMode, spec.to.name), files };
}

/**
 * The same settings with the load on this machine, through the NodePort, and nowhere else: for a case whose title
 * says the load came from the host (no fall-back to the in-cluster generator; an unreachable NodePort fails it, saying so).
 */
export function hostLoad(t: TestNamespace): RolloutSettings {
  return { ...rolloutSettings(process.env, t.run.kindConfigPath, t.run.images.loadgen), where: 'host' };
}

/** The same settings with the load forced into the in-cluster generator pod (WC_ROLLOUT_LOAD=pod). */
export function inClusterLoad(t: TestNamespace): RolloutSettings {
  return { ...rolloutSettings(process.env, t.run.kindConfigPath, t.run.images.loadgen), where: 'pod' };
}
