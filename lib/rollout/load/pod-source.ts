// The generator as a pod inside the cluster, for clusters whose NodePort this machine cannot reach.
// It targets the Service's cluster DNS name, so requests still cross kube-proxy. Control is through
// the API only: progress is read from the pod's log, the stop is a SIGTERM sent by exec, and the ledger
// comes back in the log in the same format as the host path's.
import { gone, podRunning, podSucceeded } from '../../kit/conditions.ts';
import { execInPod } from '../../kit/exec.ts';
import type { Kube } from '../../kit/kube.ts';
import { pods } from '../../kit/sources.ts';
import { TIMEOUTS } from '../../kit/timeouts.ts';
import { waitFor } from '../../kit/wait.ts';
import { pollUntil } from '../../kit/poll.ts';
import { BOOT_SCRIPT, bundleFiles, packBundle } from './pod-bundle.ts';
import { decodeLedger, lastProgress, type ProgressLine } from './pod-protocol.ts';
import type { LoadSettings, LoadSource } from './source.ts';

export interface PodLoadEnv {
  kube: Kube;
  ns: string;
  apply(file: string, vars: Record<string, string>): Promise<unknown>;
  /** A Node >= 22.18 image (type stripping); WC_LOADGEN_IMAGE. */
  image: string;
}

const NAME = 'wc-loadgen';
const CONTAINER = 'loadgen';

export async function startPodLoad(env: PodLoadEnv, settings: LoadSettings): Promise<LoadSource> {
  const { kube, ns } = env;
  await env.apply('rollout-loadgen.yaml', {
    NAME,
    LOADGEN_IMAGE: env.image,
    // JSON string literals are valid double-quoted YAML scalars.
    SETTINGS_JSON: JSON.stringify(JSON.stringify(settings)),
    BOOT_JSON: JSON.stringify(BOOT_SCRIPT),
    BUNDLE_B64: packBundle(bundleFiles()).toString('base64'),
  });
  try {
    return await follow(env, settings);
  } catch (err) {
    await removePodLoad(kube, ns);
    throw err;
  }
}

/** Deletes the generator's Pod and ConfigMap and waits until the Pod is gone, so the next case can reuse the name. */
export async function removePodLoad(kube: Kube, ns: string): Promise<void> {
  await Promise.all([
    kube.core.deleteNamespacedPod({ name: NAME, namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined),
    kube.core.deleteNamespacedConfigMap({ name: NAME, namespace: ns }).catch(() => undefined),
  ]);
  await waitFor({ ...pods(kube, ns, { name: NAME }), description: 'the load generator pod to be gone', predicate: gone(), timeoutMs: TIMEOUTS.delete });
}

async function follow(env: PodLoadEnv, settings: LoadSettings): Promise<LoadSource> {
  const { kube, ns } = env;
  await waitFor({ ...pods(kube, ns, { name: NAME }), description: 'the load generator pod to run', predicate: podRunning(), timeoutMs: TIMEOUTS.workload });

  const readLog = (tailLines?: number) =>
    kube.core.readNamespacedPodLog({ name: NAME, namespace: ns, container: CONTAINER, ...(tailLines ? { tailLines } : {}) });
  const first = await pollUntil({
    description: 'the load generator pod to report progress',
    probe: async () => lastProgress(await readLog(5)),
    done: (p) => p !== undefined,
    timeoutMs: TIMEOUTS.assert,
    intervalMs: 250,
  });
  let latest: ProgressLine = first.value!;
  let running = true;
  // The driver reads progress synchronously; this loop keeps the latest line at hand.
  const refresher = (async () => {
    while (running) {
      latest = lastProgress(await readLog(3).catch(() => '')) ?? latest;
      await new Promise((r) => setTimeout(r, 300));
    }
  })();

  return {
    where: 'pod',
    target: settings.target,
    epochMs: latest.epochMs,
    progress: () => latest.progress,
    async stop() {
      running = false;
      await refresher;
      // Node itself sends the signal: the image needs no shell or kill binary.
      await execInPod(kube, ns, NAME, CONTAINER, ['node', '-e', 'process.kill(1, "SIGTERM")'], TIMEOUTS.exec);
      try {
        await waitFor({ ...pods(kube, ns, { name: NAME }), description: 'the load generator pod to finish its ledger', predicate: podSucceeded(), timeoutMs: TIMEOUTS.workload });
        return decodeLedger(await readLog());
      } finally {
        await removePodLoad(kube, ns);
      }
    },
  };
}
