// The generator as a pod inside the cluster, for clusters whose NodePort this machine cannot reach.
// It targets the Service's cluster DNS name, so requests still cross kube-proxy. Control is through
// the API only: progress is read from the pod's log, the stop is a SIGTERM sent by exec, and the ledger
// comes back in the log in the same format as the host path's. With WC_ROLLOUT_LOAD_PODS above 1, several pods
// share the load, spread over the nodes, and the driver sees them as one (merge.ts).
import { gone, podRunning, podSucceeded } from '../../kit/conditions.ts';
import { execInPod } from '../../kit/exec.ts';
import type { Kube } from '../../kit/kube.ts';
import { pods } from '../../kit/sources.ts';
import { TIMEOUTS } from '../../kit/timeouts.ts';
import { waitFor } from '../../kit/wait.ts';
import { pollUntil } from '../../kit/poll.ts';
import { AxisClock } from './axis-clock.ts';
import { BOOT_SCRIPT, bundleFiles, packBundle } from './pod-bundle.ts';
import { mergeLedgers, mergeProgress, shareOf } from './merge.ts';
import { decodeLedger, lastProgress, type ProgressLine } from './pod-protocol.ts';
import type { GeneratorPod, LoadSettings, LoadSource } from './source.ts';
import type { RawLedger } from '../ledger/types.ts';

export interface PodLoadEnv {
  kube: Kube;
  ns: string;
  apply(file: string, vars: Record<string, string>): Promise<unknown>;
  /** A Node >= 22.18 image (type stripping); WC_LOADGEN_IMAGE. */
  image: string;
  /** How many generator pods share the load (WC_ROLLOUT_LOAD_PODS); 1 when unset. */
  pods?: number;
  /** The generator's name (its ConfigMap, and its pods' names), for several loads in one namespace at once; NAME when unset. */
  name?: string;
}

/** The generator's ConfigMap, and its pod's name when it runs alone. */
const NAME = 'wc-loadgen';
const CONTAINER = 'loadgen';

/** The generator pods' names: the one pod keeps its name, several are numbered from 1. */
export function generatorNames(pods: number, name = NAME): string[] {
  return pods === 1 ? [name] : Array.from({ length: pods }, (_, i) => `${name}-${i + 1}`);
}

// How many times the generator's pod is created when the runtime fails to start its container (StartError,
// exit 128: runc "unable to freeze" on a starved cgroup v1 node). The generator is our instrument, not the
// workload under test, and with restartPolicy Never the kubelet does not retry it itself.
const START_ATTEMPTS = 3;

export async function startPodLoad(env: PodLoadEnv, settings: LoadSettings): Promise<LoadSource> {
  const names = generatorNames(env.pods ?? 1, env.name);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, settings, names);
    } catch (err) {
      const reason = (await Promise.all(names.map((name) => startErrorOf(env.kube, env.ns, name)))).find((r) => r !== undefined);
      await removePodLoad(env.kube, env.ns, names, env.name);
      if (!reason || attempt >= START_ATTEMPTS) throw err;
      process.stderr.write(`[wc] the runtime failed to start the load generator's container (${reason}); creating it again (${attempt + 1} of ${START_ATTEMPTS})\n`);
    }
  }
}

/** The runtime's message when the generator's container never started (StartError), else undefined. */
async function startErrorOf(kube: Kube, ns: string, name: string): Promise<string | undefined> {
  const pod = await kube.core.readNamespacedPod({ name, namespace: ns }).catch(() => undefined);
  const terminated = pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.terminated;
  return terminated?.reason === 'StartError' ? `StartError: ${terminated.message ?? `exit ${terminated.exitCode}`}` : undefined;
}

async function startOnce(env: PodLoadEnv, settings: LoadSettings, names: string[]): Promise<LoadSource> {
  const bundle = env.name ?? NAME;
  await env.apply('rollout-loadgen-bundle.yaml', { NAME: bundle, BOOT_JSON: JSON.stringify(BOOT_SCRIPT), BUNDLE_B64: packBundle(bundleFiles()).toString('base64') });
  // JSON string literals are valid double-quoted YAML scalars.
  const share = JSON.stringify(JSON.stringify(shareOf(settings, names.length)));
  for (const name of names) await env.apply('rollout-loadgen.yaml', { NAME: name, BUNDLE: bundle, LOADGEN_IMAGE: env.image, SETTINGS_JSON: share });
  // A pod that never reports stops the others' log readers before the start fails (startPodLoad removes the pods).
  const halt = new AbortController();
  const followed = await Promise.allSettled(names.map((name) => follow(env.kube, env.ns, name, halt.signal)));
  const failed = followed.find((f) => f.status === 'rejected');
  if (failed) {
    halt.abort();
    throw failed.reason;
  }
  const pods = followed.map((f) => (f as PromiseFulfilledResult<FollowedPod>).value);
  return pods.length === 1 ? alone(env, settings, pods[0]!) : together(env, settings, pods);
}

/** Deletes the generator's Pods and ConfigMap and waits until the Pods are gone, so the next case can reuse the names. */
export async function removePodLoad(kube: Kube, ns: string, names: readonly string[] = [NAME], bundle = NAME): Promise<void> {
  await Promise.all([
    ...names.map((name) => kube.core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined)),
    kube.core.deleteNamespacedConfigMap({ name: bundle, namespace: ns }).catch(() => undefined),
  ]);
  await Promise.all(names.map((name) => waitFor({ ...pods(kube, ns, { name }), description: `the load generator pod ${name} to be gone`,
    predicate: gone(), timeoutMs: TIMEOUTS.delete })));
}

/**
 * One generator pod, running and reporting: its latest progress, where its ledger axis sits on this process's clock
 * (measured from its progress reads: axis-clock.ts), and its stop (SIGTERM, then its ledger from the log).
 */
interface FollowedPod {
  pod: GeneratorPod;
  clock: AxisClock;
  latest(): ProgressLine;
  stop(): Promise<RawLedger>;
}

async function follow(kube: Kube, ns: string, name: string, halt: AbortSignal): Promise<FollowedPod> {
  const running = await waitFor({ ...pods(kube, ns, { name }), description: `the load generator pod ${name} to run`, predicate: podRunning(), timeoutMs: TIMEOUTS.workload });

  const clock = new AxisClock();
  const readLog = (tailLines?: number) =>
    kube.core.readNamespacedPodLog({ name, namespace: ns, container: CONTAINER, ...(tailLines ? { tailLines } : {}) });
  // Every read of the latest line also measures the clock: when the read was sent and answered, here.
  const readProgress = async (): Promise<ProgressLine | undefined> => {
    const sentAt = Date.now();
    const line = lastProgress(await readLog(3));
    if (line) clock.observe(sentAt, Date.now(), line.atMs);
    return line;
  };
  const first = await pollUntil({
    description: `the load generator pod ${name} to report progress`,
    probe: readProgress,
    done: (p) => p !== undefined,
    timeoutMs: TIMEOUTS.assert,
    intervalMs: 250,
  });
  let latest: ProgressLine = first.value!;
  let reading = true;
  // The driver reads progress synchronously; this loop keeps the latest line at hand.
  const refresher = (async () => {
    while (reading && !halt.aborted) {
      latest = (await readProgress().catch(() => undefined)) ?? latest;
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    pod: { name, node: running[0]?.spec?.nodeName ?? '' },
    clock,
    latest: () => latest,
    async stop() {
      reading = false;
      await refresher;
      // Node itself sends the signal: the image needs no shell or kill binary.
      await execInPod(kube, ns, name, CONTAINER, ['node', '-e', 'process.kill(1, "SIGTERM")'], TIMEOUTS.exec);
      await waitFor({ ...pods(kube, ns, { name }), description: `the load generator pod ${name} to finish its ledger`, predicate: podSucceeded(), timeoutMs: TIMEOUTS.workload });
      return decodeLedger(await readLog());
    },
  };
}

/** The one generator pod: its progress as it is, its ledger on this process's clock. */
function alone(env: PodLoadEnv, settings: LoadSettings, p: FollowedPod): LoadSource {
  return {
    where: 'pod',
    target: settings.target,
    // Read at each use: the estimate tightens as reads come in (axis-clock.ts).
    get epochMs() {
      return p.clock.epochMs;
    },
    pods: [p.pod],
    progress: () => p.latest().progress,
    async stop() {
      try {
        const ledger = await p.stop();
        return { ...ledger, startedAtEpochMs: p.clock.epochMs, clock: { ...p.clock.evidence, podEpochMs: ledger.startedAtEpochMs } };
      } finally {
        await removePodLoad(env.kube, env.ns, [p.pod.name], env.name);
      }
    },
  };
}

/** Several generator pods as one load: progress and ledgers merged on this process's clock (merge.ts). */
function together(env: PodLoadEnv, settings: LoadSettings, followed: FollowedPod[]): LoadSource {
  const epochMs = () => Math.min(...followed.map((p) => p.clock.epochMs));
  const pods = followed.map((p) => p.pod);
  return {
    where: 'pod',
    target: settings.target,
    get epochMs() {
      return epochMs();
    },
    pods,
    progress: () => mergeProgress(followed.map((p) => ({ epochMs: p.clock.epochMs, progress: p.latest().progress })), epochMs()),
    async stop() {
      try {
        // All at once: stopped one after the other, the later pods would keep sending after the first had stopped.
        const ledgers = await Promise.all(followed.map((p) => p.stop()));
        return mergeLedgers(ledgers.map((ledger, i) => ({ pod: pods[i]!, ledger, epochMs: followed[i]!.clock.epochMs, clock: followed[i]!.clock.evidence })));
      } finally {
        await removePodLoad(env.kube, env.ns, pods.map((p) => p.name), env.name);
      }
    },
  };
}
