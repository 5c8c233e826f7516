// npm run bench:upstream — not a test: runs Kubernetes' own e2e tests that prove what our liveness-restart and
// readiness-endpoints files prove (bench/upstream-figures.ts maps them, one line of why each), then our files,
// on the same existing cluster (WC_KUBECONFIG, WC_CONTEXT), and prints per behaviour upstream's seconds, ours
// and their ratio; the figures also go to bench/results/upstream-<date>.json.
//   1. builds the e2e binary once per Kubernetes version (bench/e2e/build.sh: cached, cold 7-15 minutes)
//   2. gives our offline images the names upstream's pods ask for, inside each kind node's containerd
//   3. runs the upstream tests (one ginkgo process, one after another), then ours (`run --parallel 1`)
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from '../lib/kit/errors.ts';
import { connect } from '../lib/kit/kube.ts';
import type { Kube } from '../lib/kit/kube.ts';
import { runCli } from '../lib/run/cli/run-cli.ts';
import { guardExistingCluster, readClusterFacts } from '../lib/run/cluster-identity.ts';
import { runCommand, reasonFrom } from '../lib/run/commands.ts';
import type { HarnessConfig } from '../lib/run/config.ts';
import { loadConfig } from '../lib/run/config.ts';
import { parseJunitSuites } from '../lib/run/junit.ts';
import { artefactsFile, readArtefacts } from '../lib/run/offline.ts';
import { checkReachable } from '../lib/run/reachability.ts';
import { kubernetesPins, readVersions, REPO_ROOT } from '../lib/run/versions.ts';
import type { E2eImage, ImageTag } from './upstream-figures.ts';
import {
  focusRegex, formatUpstreamFigures, imagesOf, parseGinkgoReport, planImageTags, UPSTREAM_CONTAINER, UPSTREAM_TESTS,
  upstreamFigures, upstreamImages,
} from './upstream-figures.ts';

const STEP = 'benchmarking against the upstream e2e tests';
const PROGRESS_EVERY_MS = 15_000;
const say = (line: string): void => {
  process.stdout.write(`[bench:upstream ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};
const seconds = (fromMs: number): number => Math.round((Date.now() - fromMs) / 100) / 10;

/**
 * Runs a program, its output inherited, captured, or written straight to a file (the file is the child's own
 * stdout, so killing this process does not break the child's pipe in the middle of its cleanup). Resolves with
 * its exit code (never rejects on non-zero). A SIGTERM of ours is passed on (as SIGINT unless `passOn` says
 * otherwise: ginkgo then runs the spec's cleanup, deleting its namespace, and exits); a Ctrl-C reaches the child
 * through the process group already. After either, the benchmark stops once the child has exited.
 */
let interrupted = false;
function launch(file: string, args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile?: string; capture?: boolean; passOn?: NodeJS.Signals } = {}):
  Promise<{ code: number; stdout: string }> {
  return new Promise((done, fail) => {
    const fd = options.logFile ? openSync(options.logFile, 'w') : undefined;
    const out = fd ?? (options.capture ? 'pipe' : 'inherit');
    const child = spawn(file, args, { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ['ignore', out, fd ?? 'inherit'] });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const forward = (): void => {
      interrupted = true;
      child.kill(options.passOn ?? 'SIGINT');
    };
    const note = (): void => {
      interrupted = true;
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', note);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', note);
      if (interrupted) fail(new HarnessError(STEP, `interrupted while ${file.replace(/^.*\//, '')} ran (it has exited and cleaned up)`,
        'run npm run bench:upstream again'));
      else done({ code: code ?? (signal ? 130 : 1), stdout });
    });
  });
}

/** The cluster to run on: an existing one only (upstream's tests and ours share it); reachable, and kind unless allowed. */
async function cluster(config: HarnessConfig): Promise<{ kube: Kube; kind: boolean }> {
  if (config.mode !== 'existing') {
    throw new HarnessError(STEP, 'no cluster is named, and bench:upstream runs on an existing cluster only',
      'set WC_KUBECONFIG (and WC_CONTEXT) to a kind cluster, e.g. WC_KUBECONFIG=~/.cache/workload-conformance/kubeconfig/wc-cgfs.yaml WC_CONTEXT=kind-wc-cgfs');
  }
  const kube = connect(config.kubeconfigPath!, config.context);
  const version = await checkReachable(kube);
  const judgement = await guardExistingCluster(kube, config.allowNonKind, say);
  say(`cluster: context ${config.context} in ${config.kubeconfigPath}, Kubernetes ${version}`);
  return { kube, kind: judgement.kind };
}

/** bench/e2e/build.sh: the binary's path; built once per version (its progress every 15 s on stderr). */
async function buildE2e(): Promise<{ binary: string; buildSeconds: number; cached: boolean }> {
  const version = kubernetesPins(readVersions()).version;
  const cacheDir = loadConfig(process.env).cacheDir;
  const cached = existsSync(join(cacheDir, 'bench', `e2e-${version}`, '.complete'));
  const started = Date.now();
  const { code, stdout } = await launch('bash', [join(REPO_ROOT, 'bench/e2e/build.sh')], { capture: true });
  if (code !== 0) throw new HarnessError(STEP, `building the e2e test binary exited with ${code}`, 'its message above says what failed');
  const binary = stdout.trim().split('\n').at(-1) ?? '';
  if (!existsSync(binary)) throw new HarnessError(STEP, `bench/e2e/build.sh named no binary (${binary || 'nothing'})`, 'rerun it: bash bench/e2e/build.sh');
  const buildSeconds = seconds(started);
  say(cached ? `e2e binary ${version}: cached (${binary})` : `e2e binary ${version}: built in ${buildSeconds} s (${binary})`);
  return { binary, buildSeconds, cached };
}

/** test/utils/image/manifest.go of the pinned k8s.io/kubernetes, in the Go module cache the build used: which image is which. */
async function readManifest(): Promise<string> {
  const version = kubernetesPins(readVersions()).version;
  const modcache = (await runCommand('go', ['env', 'GOMODCACHE'])).stdout.trim();
  const file = join(modcache, `k8s.io/kubernetes@${version}`, 'test/utils/image/manifest.go');
  if (!existsSync(file)) {
    throw new HarnessError(STEP, `${file} does not exist, so which images upstream's tests use is unknown`,
      `download the module: cd bench/e2e && go mod download k8s.io/kubernetes@${version}`);
  }
  return readFileSync(file, 'utf8');
}

/** Our images standing in for upstream's: what the user set, else the pinned names (offline, the local registry serves them). */
function ourImages(config: HarnessConfig): { images: Record<E2eImage, string>; fromArtefacts: boolean } {
  const artefacts = existsSync(artefactsFile(config.cacheDir, config.kubernetes.minor)) ? readArtefacts(config.cacheDir, config.kubernetes.minor) : undefined;
  const pick = (short: E2eImage): string => config.images[short];
  return { images: { agnhost: pick('agnhost'), busybox: pick('busybox') }, fromArtefacts: artefacts !== undefined };
}

/** Each kind node's container and the runtime holding it (kind://<docker|podman>/<cluster>/<node>). */
async function kindNodes(kube: Kube): Promise<Array<{ node: string; runtime: string }>> {
  const facts = await readClusterFacts(kube);
  return (facts.nodes ?? []).flatMap((n) => {
    const m = /^kind:\/\/([^/]+)\/[^/]+\/(.+)$/.exec(n.providerID);
    return m ? [{ runtime: m[1] === 'podman' ? 'podman' : 'docker', node: m[2]! }] : [];
  });
}

/** `ctr images tag` inside every node: upstream's pods (pull policy IfNotPresent: their tags are not :latest) find ours. */
async function tagImages(kube: Kube, tags: ImageTag[]): Promise<void> {
  for (const { node, runtime } of await kindNodes(kube)) {
    const ctr = (...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> =>
      runCommand(runtime, ['exec', node, 'ctr', '-n', 'k8s.io', 'images', ...args], { timeoutMs: 60_000 });
    const listed = await ctr('ls', '-q');
    if (listed.exitCode !== 0) {
      throw new HarnessError(STEP, `cannot list the images in kind node ${node} (${runtime} exec): ${reasonFrom(listed.stderr)}`,
        `check that ${runtime} runs the node container ${node} and that this user may use it`);
    }
    const present = new Set(listed.stdout.split('\n').map((l) => l.trim()));
    for (const tag of tags) {
      if (tag.ours === tag.upstream) continue;
      if (!present.has(tag.ours)) {
        if (present.has(tag.upstream)) {
          say(`node ${node}: ${tag.upstream} is already there (ours, ${tag.ours}, is not): upstream's tests use it as it is`);
          continue;
        }
        throw new HarnessError(STEP, `kind node ${node} has neither ${tag.ours} (ours) nor ${tag.upstream} (upstream's), so upstream's pods cannot start`,
          'run the suite once on this cluster with WC_OFFLINE=1 (it loads our images), or set WC_AGNHOST_IMAGE/WC_BUSYBOX_IMAGE to images the node has');
      }
      const tagged = await ctr('tag', '--force', tag.ours, tag.upstream);
      if (tagged.exitCode !== 0) {
        throw new HarnessError(STEP, `tagging ${tag.ours} as ${tag.upstream} in kind node ${node} failed: ${reasonFrom(tagged.stderr)}`,
          `try it by hand: ${runtime} exec ${node} ctr -n k8s.io images tag --force ${tag.ours} ${tag.upstream}`);
      }
      say(`node ${node}: tagged ${tag.ours} as ${tag.upstream} inside its containerd (${tag.note}); ` +
        `the tag stays (remove: ${runtime} exec ${node} ctr -n k8s.io images rm ${tag.upstream})`);
    }
  }
}

/** Upstream's tests, one ginkgo process; a line every 15 s saying which spec runs. */
async function runUpstream(binary: string, config: HarnessConfig, dir: string): Promise<{ code: number; wallSeconds: number; log: string }> {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'e2e.log');
  const args = [
    `--kubeconfig=${config.kubeconfigPath}`, ...(config.context ? [`--context=${config.context}`] : []), '--provider=skeleton',
    `--ginkgo.focus=${focusRegex()}`, `--ginkgo.json-report=${join(dir, 'ginkgo.json')}`, `--report-dir=${dir}`,
    '--ginkgo.v', '--ginkgo.no-color', '--ginkgo.timeout=1h',
  ];
  say(`running ${UPSTREAM_TESTS.length} upstream tests ("${UPSTREAM_CONTAINER} ...", one after another; the two "not restarted" ` +
    `tests watch 4 minutes each: about 12 minutes); log: ${log}`);
  const started = Date.now();
  const progress = setInterval(() => {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const begun = [...text.matchAll(/^\[sig-node\] Probing container (.+?)(?: \[NodeConformance\].*)?$/gm)].map((m) => m[1]!);
    say(`upstream: ${seconds(started).toFixed(0)} s, ${begun.length ? `spec ${begun.length} of ${UPSTREAM_TESTS.length}: ${begun.at(-1)}` : 'suite setup'}`);
  }, PROGRESS_EVERY_MS);
  try {
    const { code } = await launch(binary, args, { logFile: log });
    return { code, wallSeconds: seconds(started), log };
  } finally {
    clearInterval(progress);
  }
}

/** Our matching files through the CLI's existing-cluster mode, one file at a time like upstream. */
async function runOurs(config: HarnessConfig, images: Record<E2eImage, string>, fromArtefacts: boolean, dir: string):
  Promise<{ code: number; wallSeconds: number }> {
  const only = [...new Set(UPSTREAM_TESTS.map((t) => t.behaviour))].join(',');
  const env = { ...process.env, WC_AGNHOST_IMAGE: images.agnhost, WC_BUSYBOX_IMAGE: images.busybox,
    ...(fromArtefacts && process.env.WC_OFFLINE === undefined ? { WC_OFFLINE: '1' } : {}) };
  const args = [join(REPO_ROOT, 'bin/workload-conformance.cjs'), 'run', '--kubeconfig', config.kubeconfigPath!,
    ...(config.context ? ['--context', config.context] : []), '--only', only, '--parallel', '1', '--reports', dir];
  say(`running ours: workload-conformance run --only ${only} --parallel 1 --reports ${dir}`);
  const started = Date.now();
  const { code } = await launch(process.execPath, args, { env, passOn: 'SIGTERM' }); // the CLI passes SIGTERM on to Jest
  return { code, wallSeconds: seconds(started) };
}

runCli(async () => {
  const config = loadConfig(process.env);
  const { kube, kind } = await cluster(config);
  const build = await buildE2e();

  const listed = await launch(build.binary, ['--list-images'], { capture: true });
  const { images, fromArtefacts } = ourImages(config);
  const plan = planImageTags(upstreamImages(await readManifest(), listed.stdout, imagesOf()), images);
  if (plan.missing.length) {
    throw new HarnessError(STEP, `upstream's tests need images we cannot make: ${plan.missing.join('; ')}`,
      'build ours with npm run offline:build, or name them with WC_AGNHOST_IMAGE / WC_BUSYBOX_IMAGE');
  }
  if (kind) await tagImages(kube, plan.tags);
  else say(`not a kind cluster: no tags made, upstream's pods pull ${plan.tags.map((t) => t.upstream).join(', ')} themselves`);

  const root = resolve(process.env.WC_REPORTS_DIR ?? join(REPO_ROOT, 'reports', 'bench-upstream'));
  const upstream = await runUpstream(build.binary, config, join(root, 'upstream'));
  const reportFile = join(root, 'upstream', 'ginkgo.json');
  if (!existsSync(reportFile)) {
    throw new HarnessError(STEP, `the e2e binary exited with ${upstream.code} and wrote no report (${reportFile})`,
      `read the end of its log: ${upstream.log}`);
  }
  const upstreamRun = parseGinkgoReport(readFileSync(reportFile, 'utf8'));
  say(`upstream: exit ${upstream.code}, ${upstream.wallSeconds} s wall; ` +
    upstreamRun.specs.filter((s) => s.state !== 'skipped').map((s) => `${s.state} ${s.seconds} s "${s.leaf}"`).join('; '));

  const ours = await runOurs(config, images, fromArtefacts, join(root, 'ours'));
  const junit = join(root, 'ours', 'junit.xml');
  const oursFiles = existsSync(junit) ? parseJunitSuites(readFileSync(junit, 'utf8')) : [];

  const figures = upstreamFigures(upstreamRun.specs, oursFiles);
  const walls = { upstreamSeconds: upstream.wallSeconds, oursSeconds: ours.wallSeconds,
    note: 'each from launch to exit: the e2e binary one spec after another, ours with --parallel 1 (each file\'s cases side by side)' };
  const text = formatUpstreamFigures(figures, walls);
  process.stdout.write(`\n${text}\n`);

  const date = new Date().toISOString().slice(0, 10);
  const results = join(REPO_ROOT, 'bench', 'results', `upstream-${date}.json`);
  writeFileSync(results, `${JSON.stringify({
    date: new Date().toISOString(), context: config.context, kubernetesVersion: kubernetesPins(readVersions()).version,
    build: { seconds: build.buildSeconds, cached: build.cached }, images: plan.tags,
    upstream: { exitCode: upstream.code, wallSeconds: upstream.wallSeconds, suiteSeconds: upstreamRun.suiteSeconds, specs: upstreamRun.specs },
    ours: { exitCode: ours.code, wallSeconds: ours.wallSeconds, files: oursFiles },
    mapping: UPSTREAM_TESTS, figures,
  }, null, 2)}\n`);
  process.stdout.write(`(also in ${results})\n`);
  if (upstream.code !== 0 || ours.code !== 0) {
    throw new HarnessError(STEP, `a run failed (upstream exit ${upstream.code}, ours exit ${ours.code}); its figures are above`,
      `read the upstream log (${upstream.log}) or ours (workload-conformance report --reports ${join(root, 'ours')})`);
  }
});
