// npm run bench:rollout — not a test: measures, on this machine and an existing cluster (WC_KUBECONFIG),
//  1. the load generator's sustained rate and its own CPU cost at several offered rates (no rollout),
//  2. the highest rate the in-cluster generator holds with 1 and with 2 pods (spread over the nodes) against a
//     steady workload: held = every pod sent >= 95 % of its share with no send gap over the checks' bound, and nothing failed, and
//  3. how the measured disruption of a rolling update changes with the workload's drain delay (0/1/3/5 s).
// Prints Markdown tables and writes them to reports/bench-rollout.md (+ .json).
// Knobs: WC_BENCH_PHASES (`host,pods,drain`, which of the three to run), WC_BENCH_RATES (host, per mode),
// WC_BENCH_POD_RATES (in-cluster, total over the modes, climbed until one is not held), WC_BENCH_LOAD_PODS (`1,2`),
// WC_BENCH_WINDOW_MS, WC_BENCH_DELAYS, WC_BENCH_MIN_REQUESTS.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../lib/run/cli/run-cli.ts';
import { loadConfig } from '../lib/run/config.ts';
import { HarnessError } from '../lib/kit/errors.ts';
import { connect } from '../lib/kit/kube.ts';
import { deriveFigures, byMode } from '../lib/rollout/ledger/derive.ts';
import { startHostLoad } from '../lib/rollout/load/host-source.ts';
import { placeLoad } from '../lib/rollout/load/placement.ts';
import { reachable } from '../lib/rollout/load/reachable.ts';
import { applyObjects, loadManifest } from '../lib/kit/manifests.ts';
import { createNamespace, deleteNamespaces, thisProcessOwner } from '../lib/kit/namespace.ts';
import { table } from '../lib/rollout/report/rollout-markdown.ts';
import { deployWorkload, removeWorkload, runRollout, type RolloutEnv } from '../lib/rollout/driver.ts';
import { rolloutOutcome } from '../lib/rollout/outcome.ts';
import { rolloutSettings } from '../lib/run/config-rollout.ts';
import { agnhostWorkload } from '../lib/rollout/spec.ts';
import type { ConnectionMode } from '../lib/rollout/ledger/types.ts';
import { startPodLoad } from '../lib/rollout/load/pod-source.ts';
import { podCapacity } from './pod-capacity.ts';

const env = process.env;
// The fixed NodePort through kind's mapping (or WC_ROLLOUT_TARGET): the benchmark's Services ask for NODE_PORT.
const TARGET = rolloutSettings(env).hostTarget ?? '';
const RATES = (env.WC_BENCH_RATES ?? '150,300,500').split(',').map(Number);
const WINDOW_MS = Number(env.WC_BENCH_WINDOW_MS ?? 10_000);
const DELAYS = (env.WC_BENCH_DELAYS ?? '0,1,3,5').split(',').map(Number);
const MIN_REQUESTS = Number(env.WC_BENCH_MIN_REQUESTS ?? 4000);
const PHASES = new Set((env.WC_BENCH_PHASES ?? 'host,pods,drain').split(',').map((p) => p.trim()));
// Total over the modes; the climb stops at the first rate a pod count does not hold, which bounds the phase's time.
const POD_RATES = (env.WC_BENCH_POD_RATES ?? '400,800,1200,1600,2400').split(',').map(Number);
const LOAD_PODS = (env.WC_BENCH_LOAD_PODS ?? '1,2').split(',').map(Number);

/** CPU seconds this process used while `fn` ran, as a share of one core. */
async function measuringCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpuShare: number; wallMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  return { value, cpuShare: (cpu.user + cpu.system) / 1000 / wallMs, wallMs };
}

const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.mode !== 'existing' || !cfg.kubeconfigPath) {
    throw new HarnessError('starting the rollout benchmark', 'the benchmark needs a running cluster',
      'set WC_KUBECONFIG (and WC_CONTEXT) to a kind cluster that maps NodePort 30080 to 127.0.0.1');
  }
  const kube = connect(cfg.kubeconfigPath, cfg.context);
  const runId = `bench${Date.now().toString(36)}`;
  const ns = await createNamespace(kube, 'bench-rollout', runId, thisProcessOwner());
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const renv: RolloutEnv = {
    kube, ns, log,
    apply: (file, vars) => applyObjects(kube, ns, loadManifest(file, vars, runId)),
    // Same placement as the test (host, after the NodePort answers), so a Service that kube-proxy has not
    // programmed yet never counts as disruption.
    startLoad: (settings) => placeLoad(settings, {
      where: 'host', clusterMode: 'existing', hostTarget: TARGET,
      startPod: () => Promise.reject(new Error('the benchmark measures the host generator only')),
    }),
  };
  // The run's images, by their official names (a cluster the harness made pulls them through its local registry).
  const { images } = cfg;
  const settings = rolloutSettings(env, undefined, images.loadgen);
  const basePlan = settings.plan;
  const capacityRows: string[][] = [];
  const podRows: string[][] = [];
  const podHeld = new Map<number, number>();
  const drainRows: string[][] = [];
  const json: Record<string, unknown>[] = [];
  try {
    // 1. Capacity: a steady workload, both modes at once, each offered `rate` req/s for a fixed window.
    if (PHASES.has('host')) await hostCapacity();
    // 2. The in-cluster generator's capacity with 1 and 2 pods, climbing the total rate until one is not held.
    if (PHASES.has('pods')) {
      const steady = { ...agnhostWorkload(images.agnhost, 5, 'pod-capacity'), spreadOverNodes: true };
      // A NodePort the API allocates: the pods load the Service by its name, and no other run's hold on 30080 is waited for.
      const service = await deployWorkload({ ...renv, nodePort: 0 }, steady);
      const target = `http://${service.name}.${ns}.svc.cluster.local`;
      for (const pods of LOAD_PODS) {
        for (const total of POD_RATES) {
          const perMode = total / basePlan.modes.length;
          log(`in-cluster capacity: ${total} req/s over ${basePlan.modes.length} modes from ${pods} pod(s) for ${WINDOW_MS} ms`);
          const load = await startPodLoad({ kube, ns, apply: renv.apply, image: settings.loadgenImage, pods },
            { ...basePlan, ratePerSecond: perMode, target, path: steady.requestPath, identify: steady.identify });
          // The window opens once every pod reports progress, i.e. sends.
          const from = Date.now() - load.epochMs;
          await sleep(WINDOW_MS);
          const to = Date.now() - load.epochMs;
          const ledger = await load.stop();
          const c = podCapacity(ledger, from, to, perMode, basePlan.modes, basePlan.maxSendGapMs);
          const nodes = (load.pods ?? []).map((p) => `${p.name} on ${p.node}`).join(', ');
          podRows.push([String(total), String(pods), c.achieved.toFixed(1), String(c.failed), `${Math.round(c.worstPodFraction * 100)} %`,
            String(c.maxSendGapMs), nodes, c.held ? 'yes' : 'no']);
          json.push({ phase: 'pods', offeredTotal: total, pods, capacity: c, generators: ledger.generators ?? load.pods });
          if (!c.held) break;
          podHeld.set(pods, total);
        }
      }
      await removeWorkload(kube, ns, steady.name);
    }
    if (PHASES.has('drain')) await drainRuns();
  } finally {
    await deleteNamespaces(kube, [ns]).catch((err) => log(`could not delete ${ns}: ${String(err)}`));
  }

  async function hostCapacity(): Promise<void> {
    const steady = agnhostWorkload(images.agnhost, 5, 'capacity');
    await deployWorkload(renv, steady);
    if (!(await reachable(`${TARGET}${steady.requestPath}`, 30_000))) throw new Error(`${TARGET} does not answer`);
    for (const rate of RATES) {
      log(`capacity: ${rate} req/s per mode for ${WINDOW_MS} ms`);
      const { value: ledger, cpuShare } = await measuringCpu(async () => {
        const load = await startHostLoad({ ...basePlan, ratePerSecond: rate, target: TARGET, path: steady.requestPath, identify: steady.identify });
        // The window is the measurement itself, not a wait for some state.
        await sleep(WINDOW_MS);
        return load.stop();
      });
      const overall = deriveFigures(ledger.records);
      const modes = [...byMode(ledger.records)].map(([m, r]) => `${m} ${deriveFigures(r).ratePerSecond.toFixed(0)}`).join(', ');
      capacityRows.push([String(rate * basePlan.modes.length), overall.ratePerSecond.toFixed(1), modes, String(overall.failed),
        `${overall.latencyMs.p50.toFixed(1)} / ${overall.latencyMs.p99.toFixed(1)}`, pct(cpuShare)]);
      json.push({ phase: 'capacity', offeredPerMode: rate, overall, cpuShare });
    }
    await removeWorkload(kube, ns, steady.name);
  }

  // 3. Disruption against drain delay: the full rollout check per delay, then the longest drain once more
  // with keep-alive connections reused without an age limit (netexec exits with them open).
  async function drainRuns(): Promise<void> {
    const cases = [
      ...DELAYS.map((delay) => ({ delay, modes: basePlan.modes, label: `${delay} s` })),
      { delay: Math.max(...DELAYS), modes: ['fresh', 'keepalive-rotate-1s'] as ConnectionMode[], label: `${Math.max(...DELAYS)} s, keep-alive rotated after 1 s` },
    ];
    for (const [i, { delay, modes, label }] of cases.entries()) {
      const spec = agnhostWorkload(images.agnhost, delay, `drain-${i}-${delay}`);
      const plan = { ...basePlan, minRequestsPerMode: MIN_REQUESTS, modes };
      log(`rollout with a ${label} drain`);
      const { value: run, cpuShare } = await measuringCpu(() => runRollout(renv, spec, plan));
      const o = rolloutOutcome(`bench-drain-${delay}`, run);
      for (const [mode, f] of Object.entries(o.byMode)) {
        const causes = Object.entries(f.failuresByCause).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
        drainRows.push([label, mode, String(f.total), String(f.failed), causes, String(f.disruptionSeconds), String(o.rolloutSeconds), f.ratePerSecond.toFixed(1)]);
      }
      drainRows.push([label, '(process CPU)', '', '', '', '', '', pct(cpuShare)]);
      json.push({ phase: 'drain', delaySeconds: delay, modes, outcome: { ...o, timeline: undefined }, cpuShare });
    }
  }

  const held = LOAD_PODS.map((pods) => `${pods} pod${pods === 1 ? '' : 's'}: ${podHeld.has(pods) ? `${podHeld.get(pods)} req/s` : 'none of the rates tried'}`);
  const md = [
    `## Rollout benchmark (${new Date().toISOString()}, ${TARGET})`,
    '',
    ...(PHASES.has('host') ? [
      `Load generator capacity: both modes at once for ${WINDOW_MS / 1000} s, concurrency ${basePlan.concurrency} per mode; ` +
        'CPU is this process (generator plus API client) as a share of one core.',
      '',
      table(['offered req/s', 'achieved req/s', 'per mode', 'failed', 'latency p50 / p99 ms', 'generator CPU'], capacityRows),
      '',
    ] : []),
    ...(PHASES.has('pods') ? [
      `In-cluster generator capacity (${basePlan.modes.join(' + ')}, the total rate shared by the pods, each at its share; ` +
        `${WINDOW_MS / 1000} s per row; held = every pod sent >= 95 % of its share, no send gap over ${basePlan.maxSendGapMs} ms, nothing failed (the checks' load rule); each pod count climbs until ` +
        `a rate is not held). Highest rate held: ${held.join('; ')}.`,
      '',
      table(['offered req/s', 'pods', 'achieved req/s', 'failed', 'worst pod sent', 'max send gap ms', 'generator pods\' nodes', 'held'], podRows),
      '',
    ] : []),
    ...(PHASES.has('drain') ? [
      `Disruption against drain delay (agnhost netexec --delay-shutdown, ${basePlan.ratePerSecond} req/s per mode, ` +
        `at least ${MIN_REQUESTS} requests per mode, strict keep-alive (connections reused until the server closes them) ` +
        'except the row marked rotated):',
      '',
      table(['drain', 'mode', 'requests', 'failed', 'causes', 'disruption s', 'rollout s', 'req/s'], drainRows),
      '',
    ] : []),
  ].join('\n');
  process.stdout.write(md);
  const dir = cfg.reportsDir;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'bench-rollout.md'), md);
  await writeFile(join(dir, 'bench-rollout.json'), JSON.stringify(json, null, 2));
}

runCli(main);
