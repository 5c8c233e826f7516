// One rolling-update check end to end, as a test calls it: run the rollout under load (load placed on
// the host or in the cluster), derive the figures, write the report files, give the zero-loss verdict.
import type { TestNamespace } from '../fixture.ts';
import { placeLoad, parseLoadWhere } from '../load/placement.ts';
import { startPodLoad } from '../load/pod-source.ts';
import { writeRolloutReport, type RolloutFiles } from '../report/rollout-files.ts';
import { readVersions } from '../versions.ts';
import { NODE_PORT } from './constants.ts';
import { runRollout, type LoadPlan, type RolloutRun } from './driver.ts';
import { rolloutOutcome, type RolloutOutcome } from './outcome.ts';
import { loadPlanFromEnv } from './plan.ts';
import type { WorkloadSpec } from './spec.ts';
import { zeroLossVerdict, type Verdict } from './verdict.ts';

export interface CheckResult {
  run: RolloutRun;
  outcome: RolloutOutcome;
  verdict: Verdict;
  files: RolloutFiles;
}

type Env = Record<string, string | undefined>;

/** A stock Node image new enough to run the generator's .ts sources (>= 22.18). */
export function loadgenImage(env: Env = process.env): string {
  return env.WC_LOADGEN_IMAGE ?? `docker.io/library/node:${readVersions().NODE_VERSION ?? '24'}-slim`;
}

export async function rolloutCheck(t: TestNamespace, caseName: string, title: string, spec: WorkloadSpec,
  plan: LoadPlan = loadPlanFromEnv(), env: Env = process.env): Promise<CheckResult> {
  const { kube, ns } = t;
  const apply = (file: string, vars: Record<string, string>) => t.apply(file, vars);
  const run = await runRollout({
    kube,
    ns,
    apply,
    startLoad: (settings, service) => placeLoad(settings, {
      where: parseLoadWhere(env.WC_ROLLOUT_LOAD),
      clusterMode: t.run.mode,
      hostTarget: env.WC_ROLLOUT_TARGET ?? `http://127.0.0.1:${NODE_PORT}`,
      startPod: (s) => startPodLoad({ kube, ns, apply, image: loadgenImage(env) }, { ...s, target: `http://${service}.${ns}.svc.cluster.local` }),
    }),
  }, spec, plan);
  const outcome = rolloutOutcome(caseName, run);
  const files = await writeRolloutReport(t.run.reportsDir, title, run, outcome);
  return { run, outcome, verdict: zeroLossVerdict(outcome, plan.minRequestsPerMode, spec.to.name), files };
}
