/**
 * `npx workload-conformance <command>` (bin/workload-conformance.cjs picks a new-enough Node and runs this).
 * The third way to run the suite, not a second tool: `run` spawns the same Jest cluster project `npm test`
 * runs, with the options turned into the WC_* variables the run side already reads; `up`/`down` are the
 * same scripts as `npm run offline:up` and lib/run/cli/down.ts. Exit codes: see args.ts (EXIT).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { formatHarnessError, isHarnessError, messageOf } from '../../kit/errors.ts';
import { connect } from '../../kit/kube.ts';
import type { Summary } from '../../kit/report.ts';
import { newRunId } from '../../kit/run-context.ts';
import { kubeconfigFor } from '../cluster.ts';
import { checkRolloutInput } from '../config-rollout.ts';
import type { HarnessConfig } from '../config.ts';
import { loadConfig } from '../config.ts';
import { parseJunitCases } from '../junit.ts';
import type { TestCaseRun } from '../junit.ts';
import { KindCli } from '../kind.ts';
import { readArtefacts } from '../offline.ts';
import { checkReachable } from '../reachability.ts';
import { stderrLog } from '../session.ts';
import { sweepLeftovers } from '../lease-sweep.ts';
import type { VersionMatrix, VersionRun } from '../version-matrix.ts';
import { formatMatrix, mergeJunit, versionMatrix } from '../version-matrix.ts';
import { kubernetesPins, readVersions, REPO_ROOT } from '../versions.ts';
import { AuditInputError, auditInput, overall, scorecardLines, type AuditOptions, type AuditReport } from '../../audit/index.ts';
import type { Command } from './args.ts';
import { behavioursIn, EXIT, exitCodeFor, helpText, parseArgs, selectFiles, UsageError } from './args.ts';

type RunCommand = Extract<Command, { command: 'run' }>;
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The signal that interrupted this command, if one did: no further repeat starts after it. */
let interrupted: NodeJS.Signals | undefined;

/** Runs a Node script of this repository with this Node; resolves with its exit code. */
function node(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
    // Ctrl-C reaches the child through the process group; a SIGTERM sent to this process alone is passed on.
    // Either way the child cleans up and exits, and so do we, with its code.
    const forward = (): void => {
      interrupted = 'SIGTERM';
      child.kill('SIGTERM');
    };
    const noted = (): void => {
      interrupted ??= 'SIGINT';
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', noted);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', noted);
      done(code ?? (signal ? 130 : 1));
    });
  });
}

/** The configuration `run` would use, checked before Jest starts: bad input and an unreachable cluster are exit 2. */
async function preflight(env: NodeJS.ProcessEnv): Promise<HarnessConfig> {
  const config = loadConfig(env);
  checkRolloutInput(env);
  if (config.mode === 'existing') await checkReachable(connect(config.kubeconfigPath!, config.context));
  return config;
}

function runEnv(cmd: RunCommand, reports: string): NodeJS.ProcessEnv {
  return {
    ...process.env, WC_REPORTS_DIR: reports,
    ...(cmd.kubeconfig ? { WC_KUBECONFIG: resolve(cmd.kubeconfig) } : {}),
    ...(cmd.context ? { WC_CONTEXT: cmd.context } : {}),
    ...(cmd.keepCluster ? { WC_KEEP_CLUSTER: '1' } : {}),
    ...(cmd.parallel ? { WC_PARALLEL: String(cmd.parallel) } : {}),
    ...(cmd.nodes ? { WC_NODES: String(cmd.nodes) } : {}),
  };
}

async function kindClusterExists(config: HarnessConfig): Promise<boolean> {
  if (config.mode !== 'kind') return false;
  try {
    return (await new KindCli(config.offline ? readArtefacts(config.cacheDir, config.kubernetes.minor).kind : 'kind').clusters()).includes(config.clusterName);
  } catch {
    return false; // no kind yet (the offline build makes it): the run will create the cluster
  }
}

interface Pass {
  index: number;
  exitCode: number;
  cases: TestCaseRun[];
  /** Ctrl-C or SIGTERM stopped it: its files were cut short or refused, so its results are not counted. */
  interrupted?: boolean;
}

function describePass(pass: Pass, of: number): string[] {
  if (pass.interrupted) return [`run ${pass.index}/${of}: interrupted (not counted)`];
  const ran = pass.cases.filter((c) => !c.skipped);
  const failed = ran.filter((c) => c.failure !== undefined);
  return [
    `run ${pass.index}/${of}: ${ran.length - failed.length} passed, ${failed.length} failed`,
    ...failed.map((c) => `  FAILED ${c.file} › ${c.name}\n         ${c.failure}`),
  ];
}

/**
 * The cluster Jest project on the given files; the config by its path: the CLI may be started from any directory.
 * Jest is resolved as a dependency, not under REPO_ROOT: installed into a project, the package's dependencies sit
 * beside it (node_modules/jest), not inside it.
 */
const jestArgs = (files: string[], project = 'cluster'): string[] => [createRequire(import.meta.url).resolve('jest/bin/jest'), '--config', join(REPO_ROOT, 'jest.config.ts'), '--selectProjects', project, '--', ...files];

/**
 * `--kubernetes 1.35,1.36,1.37`: the suite on a kind cluster of each version in turn (named <cluster>-1-35 ..., each
 * created and deleted by its own run unless --keep-cluster), reports in <reports>/kubernetes-<minor>/, then one
 * table, versions.json and junit.xml with a column (a prefix) per version.
 */
async function runVersions(cmd: RunCommand, files: string[], reports: string): Promise<number> {
  const versions = readVersions();
  const pins = cmd.kubernetes!.map((v) => kubernetesPins(versions, v, '--kubernetes'));
  const base = runEnv(cmd, reports);
  const baseName = loadConfig(base).clusterName;
  const envs = pins.map((p) => ({ ...base, WC_KUBERNETES_VERSION: p.minor, WC_CLUSTER_NAME: `${baseName}-${p.minor.replace('.', '-')}`,
    WC_REPORTS_DIR: join(reports, `kubernetes-${p.minor}`) }));
  for (const env of envs) await preflight(env); // every version's input checked before the first cluster is made
  const runs: VersionRun[] = [];
  const codes: number[] = [];
  for (const [i, p] of pins.entries()) {
    const env = envs[i]!;
    const dir = env.WC_REPORTS_DIR;
    rmSync(join(dir, 'junit.xml'), { force: true });
    rmSync(join(dir, 'summary.json'), { force: true });
    stderrLog(`[wc] Kubernetes ${p.minor} (${i + 1} of ${pins.length}): kind cluster ${env.WC_CLUSTER_NAME} -> ${dir}`);
    const exitCode = await node(jestArgs(files), env);
    const junit = join(dir, 'junit.xml');
    const cases = existsSync(junit) ? parseJunitCases(readFileSync(junit, 'utf8')) : [];
    const summaryFile = join(dir, 'summary.json');
    const serverVersion = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary).kubernetesVersion : undefined;
    runs.push({ minor: p.minor, ...(serverVersion ? { serverVersion } : {}), cases, ...(interrupted ? { interrupted: true } : {}) });
    const ran = cases.filter((c) => !c.skipped);
    codes.push(exitCodeFor({ jestExitCode: exitCode, testsRun: ran.length, testsFailed: ran.filter((c) => c.failure).length }));
    if (interrupted) {
      stderrLog(`[wc] ${interrupted}: stopping after Kubernetes ${p.minor}`);
      break;
    }
  }
  const matrix = versionMatrix(runs);
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'versions.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(join(reports, 'junit.xml'), mergeJunit(runs.map((r) => {
    const junit = join(reports, `kubernetes-${r.minor}`, 'junit.xml');
    return { minor: r.minor, xml: existsSync(junit) ? readFileSync(junit, 'utf8') : '' };
  })));
  say('');
  for (const line of formatMatrix(matrix)) say(line);
  say(`\nversions.json and junit.xml (every version): ${reports}`);
  if (interrupted) return interrupted === 'SIGTERM' ? 143 : 130;
  if (codes.includes(EXIT.failed)) return EXIT.failed;
  return codes.includes(EXIT.usage) ? EXIT.usage : EXIT.passed;
}

async function run(cmd: RunCommand): Promise<number> {
  const files = selectFiles(cmd.only, behavioursIn(join(REPO_ROOT, 'tests')));
  const reports = resolve(cmd.reports ?? process.env.WC_REPORTS_DIR ?? 'reports');
  if (cmd.kubernetes && cmd.kubernetes.length > 1) return runVersions(cmd, files, reports);
  // Else `report` would show an earlier run of several versions instead of this one.
  rmSync(join(reports, 'versions.json'), { force: true });
  const env = { ...runEnv(cmd, reports), ...(cmd.kubernetes ? { WC_KUBERNETES_VERSION: cmd.kubernetes[0]! } : {}) };
  const config = await preflight(env);
  // Repeats share one cluster: a kind cluster is kept between them, and removed at the end only if this
  // command created it and --keep-cluster was not given.
  const existedBefore = cmd.repeat > 1 && await kindClusterExists(config);
  const passes: Pass[] = [];
  for (let index = 1; index <= cmd.repeat; index++) {
    const dir = cmd.repeat > 1 ? join(reports, `run-${index}`) : reports;
    const keep = cmd.keepCluster || index < cmd.repeat;
    rmSync(join(dir, 'junit.xml'), { force: true });
    if (cmd.repeat > 1) stderrLog(`[wc] run ${index} of ${cmd.repeat} -> ${dir}`);
    const exitCode = await node(jestArgs(files), { ...env, WC_REPORTS_DIR: dir, ...(keep ? { WC_KEEP_CLUSTER: '1' } : {}) });
    const junit = join(dir, 'junit.xml');
    const cases = existsSync(junit) ? parseJunitCases(readFileSync(junit, 'utf8')) : [];
    passes.push({ index, exitCode, cases });
    // Nothing ran: the global setup stopped (its message is above); another repeat would stop the same way.
    if (cases.filter((c) => !c.skipped).length === 0) break;
    if (interrupted) {
      passes.at(-1)!.interrupted = true;
      stderrLog(`[wc] ${interrupted}: stopping after run ${index} of ${cmd.repeat}`);
      break;
    }
  }
  if (cmd.repeat > 1 && config.mode === 'kind' && !cmd.keepCluster && !existedBefore) {
    await node([join(REPO_ROOT, 'lib/run/cli/down.ts')], env);
  }
  const codes = passes.map((p) => {
    const ran = p.cases.filter((c) => !c.skipped);
    return exitCodeFor({ jestExitCode: p.exitCode, testsRun: ran.length, testsFailed: ran.filter((c) => c.failure).length });
  });
  if (cmd.repeat > 1) {
    say('');
    for (const p of passes) for (const line of describePass(p, cmd.repeat)) say(line);
    const counted = passes.filter((p) => !p.interrupted);
    const failedCounts = new Map<string, number>();
    for (const p of counted) for (const c of p.cases) if (c.failure) failedCounts.set(`${c.file} › ${c.name}`, (failedCounts.get(`${c.file} › ${c.name}`) ?? 0) + 1);
    say(failedCounts.size ? `failures over ${counted.length} runs:` : `no failure in ${counted.length} runs`);
    for (const [test, n] of failedCounts) say(`  ${n}/${counted.length}  ${test}`);
  }
  // An interrupted run proved nothing: the shell's convention (128 + the signal), never 0.
  if (interrupted) return interrupted === 'SIGTERM' ? 143 : 130;
  if (codes.includes(EXIT.usage)) return EXIT.usage;
  return codes.includes(EXIT.failed) ? EXIT.failed : EXIT.passed;
}

function report(reportsArg: string | undefined): number {
  const dir = resolve(reportsArg ?? process.env.WC_REPORTS_DIR ?? 'reports');
  const versionsFile = join(dir, 'versions.json');
  if (existsSync(versionsFile)) {
    // A --kubernetes run of several versions: its table; each version's own reports are in kubernetes-<minor>/.
    const matrix = JSON.parse(readFileSync(versionsFile, 'utf8')) as VersionMatrix;
    for (const line of formatMatrix(matrix)) say(line);
    say(`\neach version's reports (summary, timelines, diagnostics): ${matrix.versions.map((v) => join(dir, `kubernetes-${v.minor}`)).join(', ')}`);
    say(`junit: ${join(dir, 'junit.xml')}`);
    return matrix.versions.some((v) => v.failed > 0 || v.passed + v.failed === 0) ? EXIT.failed : EXIT.passed;
  }
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) {
    throw new UsageError(`no summary in ${dir} (${file} does not exist): run the suite first, or say --reports DIR`);
  }
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  const rows = summary.behaviours.map((b) => [b.verdict === 'passed' ? 'PASS' : 'FAIL', b.behaviour, b.case,
    (b.durationMs / 1000).toFixed(1)]);
  const widths = [4, 9, 4, 7].map((w, i) => Math.max(w, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  say(`run ${summary.runId ?? '?'} (${summary.generatedAt}${summary.kubernetesVersion ? `, Kubernetes ${summary.kubernetesVersion}` : ''}): ` +
    `${summary.totals.passed} passed, ${summary.totals.failed} failed`);
  say(line(['', 'behaviour', 'case', 'seconds']));
  for (const r of rows) say(line(r));
  for (const b of summary.behaviours.filter((x) => x.failure)) say(`\nFAIL ${b.behaviour} / ${b.case}:\n  ${b.failure!.split('\n').slice(0, 4).join('\n  ')}`);
  const entries = readdirSync(dir, { withFileTypes: true });
  const timelines = entries.filter((e) => e.isFile() && /\.(svg|md)$/.test(e.name)).map((e) => join(dir, e.name));
  const diagnostics = entries.filter((e) => e.isDirectory() && e.name.startsWith('wc-')).map((e) => join(dir, e.name));
  say(`\ntimelines: ${timelines.length ? `\n  ${timelines.join('\n  ')}` : 'none'}`);
  if (diagnostics.length) say(`diagnostics of failed files:\n  ${diagnostics.join('\n  ')}`);
  say(`junit: ${join(dir, 'junit.xml')}`);
  return summary.totals.failed > 0 ? EXIT.failed : EXIT.passed;
}

async function sweep(cmd: Extract<Command, { command: 'sweep' }>): Promise<number> {
  const config = loadConfig({ ...process.env, ...(cmd.kubeconfig ? { WC_KUBECONFIG: resolve(cmd.kubeconfig) } : {}),
    ...(cmd.context ? { WC_CONTEXT: cmd.context } : {}) });
  const path = config.mode === 'existing' ? config.kubeconfigPath! : kubeconfigFor(config);
  if (!existsSync(path)) throw new UsageError(`no kubeconfig for kind cluster ${config.clusterName} at ${path}: is it up?`);
  const kube = connect(path, config.context ?? (config.mode === 'kind' ? `kind-${config.clusterName}` : undefined));
  await checkReachable(kube);
  // A run id no namespace has: every harness namespace is judged by its run's lease alone.
  const decisions = await sweepLeftovers(kube, newRunId(), stderrLog);
  say(`swept ${decisions.filter((d) => d.sweep).length} of ${decisions.length} harness namespaces`);
  return EXIT.passed;
}

/**
 * `audit -f app.yaml`: the input read and checked here (bad input is exit 2 before any cluster work), then the audit
 * project of the same Jest suite on it (tests/audit/workload.audit.ts: namespace, checks, scorecard), on a kind cluster
 * made as for `run` or on --kubeconfig's; its verdicts printed one line each with where the scorecard is.
 */
async function audit(cmd: Extract<Command, { command: 'audit' }>): Promise<number> {
  const files = cmd.files.map((f) => resolve(f));
  const options: AuditOptions = { files, ...(cmd.workload ? { workload: cmd.workload } : {}), ...(cmd.path ? { path: cmd.path } : {}),
    ...(cmd.podSecurity ? { podSecurity: cmd.podSecurity } : {}), ...(cmd.rate !== undefined ? { rate: cmd.rate } : {}),
    ...(cmd.drainNode ? { drainNode: true } : {}) };
  let input;
  try {
    input = auditInput(files, options);
  } catch (err) {
    if (err instanceof AuditInputError) throw new UsageError(err.message);
    throw err;
  }
  const reports = resolve(cmd.reports ?? process.env.WC_REPORTS_DIR ?? 'reports');
  const env: NodeJS.ProcessEnv = {
    ...process.env, WC_REPORTS_DIR: reports, WC_AUDIT: JSON.stringify(options),
    ...(cmd.kubeconfig ? { WC_KUBECONFIG: resolve(cmd.kubeconfig) } : {}), ...(cmd.context ? { WC_CONTEXT: cmd.context } : {}),
    // Naming both the file and the context is consent: the audit makes one namespace of its own there, kind or not.
    ...(cmd.kubeconfig && cmd.context ? { WC_ALLOW_NON_KIND: '1' } : {}),
    ...(cmd.keepCluster ? { WC_KEEP_CLUSTER: '1' } : {}), ...(cmd.loadImages ? { WC_LOAD_IMAGES: cmd.loadImages.join(',') } : {}),
  };
  await preflight(env);
  for (const note of input.notes) stderrLog(`[audit] ${note}`);
  const dir = join(reports, `audit-${input.workload.name}`);
  rmSync(join(dir, 'audit.json'), { force: true });
  rmSync(join(reports, 'junit.xml'), { force: true });
  const exitCode = await node(jestArgs([], 'audit'), env);
  if (interrupted) return interrupted === 'SIGTERM' ? 143 : 130;
  const json = join(dir, 'audit.json');
  if (existsSync(json)) {
    const report = JSON.parse(readFileSync(json, 'utf8')) as AuditReport;
    say('');
    say(`audit of ${report.workload.kind}/${report.workload.name}: ${overall(report).toUpperCase()}`);
    for (const line of scorecardLines(report)) say(`  ${line}`);
    say(`scorecard: ${join(dir, 'scorecard.md')}\njson: ${json}\njunit: ${join(reports, 'junit.xml')}`);
  }
  const junit = join(reports, 'junit.xml');
  const cases = existsSync(junit) ? parseJunitCases(readFileSync(junit, 'utf8')) : [];
  const ran = cases.filter((c) => !c.skipped);
  return exitCodeFor({ jestExitCode: exitCode, testsRun: ran.length, testsFailed: ran.filter((c) => c.failure).length });
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseArgs(argv);
  switch (cmd.command) {
    case 'help':
      say(helpText(behavioursIn(join(REPO_ROOT, 'tests'))));
      return EXIT.passed;
    case 'run': return run(cmd);
    case 'audit': return audit(cmd);
    case 'report': return report(cmd.reports);
    case 'sweep': return sweep(cmd);
    // Bringing up or removing the cluster failing is "the cluster could not be reached": 2.
    case 'up': return (await node([join(REPO_ROOT, 'lib/run/cli/up.ts')], process.env)) === 0 ? EXIT.passed : EXIT.usage;
    case 'down': return (await node([join(REPO_ROOT, 'lib/run/cli/down.ts')], process.env)) === 0 ? EXIT.passed : EXIT.usage;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`workload-conformance: ${err.message} (see --help)\n`);
  else if (isHarnessError(err)) process.stderr.write(`${formatHarnessError(err)}\n`);
  else process.stderr.write(`workload-conformance: ${messageOf(err)}\n${(err as Error)?.stack ?? ''}\n`);
  process.exit(EXIT.usage);
});
