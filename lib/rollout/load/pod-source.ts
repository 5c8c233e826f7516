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

// How many times the generator's pod is created when the runtime fails to start its container (StartError,
// exit 128: runc "unable to freeze" on a starved cgroup v1 node). The generator is our instrument, not the
// workload under test, and with restartPolicy Never the kubelet does not retry it itself.
const START_ATTEMPTS = 3;

export async function startPodLoad(env: PodLoadEnv, settings: LoadSettings): Promise<LoadSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, settings);
    } catch (err) {
      const reason = await startErrorOf(env.kube, env.ns);
      await removePodLoad(env.kube, env.ns);
      if (!reason || attempt >= START_ATTEMPTS) throw err;
      process.stderr.write(`[wc] the runtime failed to start the load generator's container (${reason}); creating it again (${attempt + 1} of ${START_ATTEMPTS})\n`);
    }
  }
}

/** The runtime's message when the generator's container never started (StartError), else undefined. */
async function startErrorOf(kube: Kube, ns: string): Promise<string | undefined> {
  const pod = await kube.core.readNamespacedPod({ name: NAME, namespace: ns }).catch(() => undefined);
  const terminated = pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.terminated;
  return terminated?.reason === 'StartError' ? `StartError: ${terminated.message ?? `exit ${terminated.exitCode}`}` : undefined;
}

async function startOnce(env: PodLoadEnv, settings: LoadSettings): Promise<LoadSource> {
  await env.apply('rollout-loadgen.yaml', {
    NAME,
    LOADGEN_IMAGE: env.image,
    // JSON string literals are valid double-quoted YAML scalars.
    SETTINGS_JSON: JSON.stringify(JSON.stringify(settings)),
    BOOT_JSON: JSON.stringify(BOOT_SCRIPT),
    BUNDLE_B64: packBundle(bundleFiles()).toString('base64'),
  });
  return follow(env, settings);
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
