// The `workload-conformance` command line, as pure functions: what was asked (parseArgs), which test files a
// behaviour selection means (selectFiles), what the behaviours are (behavioursIn), the help text, and the exit
import { MAX_NODES } from '../config.ts';
// code of an outcome (exitCodeFor). main.ts does the spawning; tests/unit/cli-args.test.ts checks these.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Exit codes: 0 every behaviour passed, 1 a behaviour failed, 2 bad input or no cluster to run on. */
export const EXIT = { passed: 0, failed: 1, usage: 2 } as const;

/** A mistake in the command line or the environment: one sentence and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Behaviour {
  /** What --only takes: the test file's name without .test.ts. */
  name: string;
  file: string;
  /** One line: the file's BEHAVIOUR constant (what summary.json calls it), else its `@behaviour` doc line. */
  title: string;
}

/**
 * The behaviours are the cluster test files themselves (tests/*.test.ts), so a new file is a new behaviour.
 * A file that records no observations (the harness's own checks) has no BEHAVIOUR constant; a line
 * ` * @behaviour <one line>` in its doc comment titles it instead.
 */
export function behavioursIn(testsDir: string): Behaviour[] {
  return readdirSync(testsDir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => {
    const text = readFileSync(join(testsDir, f), 'utf8');
    // A quote escaped inside the string (`'A lost node\'s pods ...'`) is part of the title, not its end.
    const title = /const BEHAVIOUR = (['"`])((?:\\.|(?!\1).)+)\1/.exec(text)?.[2]?.replace(/\\(.)/g, '$1')
      ?? /^ \* @behaviour (.+)$/m.exec(text)?.[1]?.trim()
      ?? '(no BEHAVIOUR constant or @behaviour line)';
    return { name: f.replace(/\.test\.ts$/, ''), file: `tests/${f}`, title };
  });
}

export type Command =
  | { command: 'help' }
  | { command: 'run'; only?: string[]; kubeconfig?: string; context?: string; repeat: number; keepCluster: boolean;
    reports?: string; parallel?: number; kubernetes?: string[]; nodes?: number }
  | { command: 'up' }
  | { command: 'down' }
  | { command: 'sweep'; kubeconfig?: string; context?: string }
  | { command: 'report'; reports?: string }
  | { command: 'audit'; files: string[]; workload?: string; path?: string; kubeconfig?: string; context?: string;
    podSecurity?: 'restricted' | 'baseline'; reports?: string; keepCluster: boolean; loadImages?: string[]; rate?: number; drainNode: boolean };

/** A bound against a slip of the finger: far beyond it the figures would measure the generator pods, not the workload. */
const MAX_AUDIT_RATE = 1000;

const COMMANDS = ['run', 'audit', 'up', 'down', 'sweep', 'report', 'help'] as const;
const VALUE_FLAGS: Record<string, readonly string[]> = {
  run: ['--only', '--kubeconfig', '--context', '--repeat', '--reports', '--parallel', '--kubernetes', '--nodes'],
  sweep: ['--kubeconfig', '--context'],
  report: ['--reports'],
  audit: ['-f', '--file', '--workload', '--path', '--kubeconfig', '--context', '--pod-security', '--reports', '--load-image', '--rate'],
  up: [], down: [], help: [],
};
const BOOLEAN_FLAGS: Record<string, readonly string[]> = { run: ['--keep-cluster'], audit: ['--keep-cluster', '--drain-node'] };
/** Flags that may be given more than once, each adding a value. */
const REPEATABLE = new Set(['-f', '--file', '--load-image']);

function wholeNumber(flag: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${flag} takes a whole number from 1 to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** Parses argv (without node and the script). Throws UsageError naming the mistake. */
export function parseArgs(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command "${first}"; the commands are: ${COMMANDS.join(', ')}`);
  }
  const command = first as (typeof COMMANDS)[number];
  const values = new Map<string, string>();
  const repeated: string[] = [];
  const images: string[] = [];
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (VALUE_FLAGS[command]!.includes(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`${flag} needs a value`);
      }
      if (REPEATABLE.has(flag)) (flag === '--load-image' ? images : repeated).push(value);
      else if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
      else values.set(flag, value);
    } else if ((BOOLEAN_FLAGS[command] ?? []).includes(flag) && inline === undefined) {
      flags.add(flag);
    } else {
      const known = [...VALUE_FLAGS[command]!, ...(BOOLEAN_FLAGS[command] ?? [])];
      throw new UsageError(`"${command}" does not take ${arg}` +
        (known.length ? `; it takes ${known.join(', ')}` : '; it takes no options'));
    }
  }
  const kubeconfig = values.get('--kubeconfig');
  const context = values.get('--context');
  if (context && !kubeconfig) throw new UsageError('--context needs --kubeconfig (the file that holds that context)');
  const reports = values.get('--reports');
  switch (command) {
    case 'help': return { command: 'help' };
    case 'up': return { command: 'up' };
    case 'down': return { command: 'down' };
    case 'report': return { command: 'report', ...(reports ? { reports } : {}) };
    case 'sweep': return { command: 'sweep', ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) };
    case 'audit': {
      if (repeated.length === 0) throw new UsageError('audit needs the workload\'s YAML: -f FILE (repeatable: what helm template or kustomize build prints)');
      const podSecurity = values.get('--pod-security');
      if (podSecurity !== undefined && podSecurity !== 'restricted' && podSecurity !== 'baseline') {
        throw new UsageError(`--pod-security takes restricted (the default) or baseline, got "${podSecurity}"`);
      }
      const workload = values.get('--workload');
      const path = values.get('--path');
      const rate = values.has('--rate') ? wholeNumber('--rate', values.get('--rate')!, MAX_AUDIT_RATE) : undefined;
      if (images.length && kubeconfig) throw new UsageError('--load-image loads into the kind cluster the audit makes; an existing cluster (--kubeconfig) pulls its images itself: give one or the other');
      return {
        command: 'audit', files: repeated, keepCluster: flags.has('--keep-cluster'), drainNode: flags.has('--drain-node'),
        ...(workload ? { workload } : {}), ...(path ? { path } : {}), ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}),
        ...(podSecurity ? { podSecurity } : {}), ...(reports ? { reports } : {}), ...(images.length ? { loadImages: images } : {}),
        ...(rate !== undefined ? { rate } : {}),
      };
    }
    case 'run': {
      const only = values.get('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
      if (only && only.length === 0) throw new UsageError('--only needs at least one behaviour');
      const repeat = values.has('--repeat') ? wholeNumber('--repeat', values.get('--repeat')!, 1000) : 1;
      const parallel = values.has('--parallel') ? wholeNumber('--parallel', values.get('--parallel')!, 64) : undefined;
      const kubernetes = values.get('--kubernetes')?.split(',').map((s) => s.trim()).filter(Boolean);
      if (kubernetes && kubernetes.length === 0) throw new UsageError('--kubernetes needs at least one version (e.g. 1.37 or 1.35,1.36,1.37)');
      if (kubernetes && new Set(kubernetes.map((v) => v.replace(/^v/, ''))).size < kubernetes.length) throw new UsageError(`--kubernetes names a version twice: ${kubernetes.join(',')}`);
      if (kubernetes && kubeconfig) throw new UsageError('--kubernetes makes kind clusters at those versions; an existing cluster (--kubeconfig) runs the version it runs: give one or the other');
      const nodes = values.has('--nodes') ? wholeNumber('--nodes', values.get('--nodes')!, MAX_NODES) : undefined;
      if (nodes && kubeconfig) throw new UsageError('--nodes makes a kind cluster of that many nodes; an existing cluster (--kubeconfig) has the nodes it has: give one or the other');
      if (kubernetes && kubernetes.length > 1 && repeat > 1) throw new UsageError('--repeat runs one version: give --kubernetes one version with it');
      return {
        command: 'run', repeat, keepCluster: flags.has('--keep-cluster'),
        ...(only ? { only } : {}), ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}),
        ...(reports ? { reports } : {}), ...(parallel ? { parallel } : {}), ...(kubernetes ? { kubernetes } : {}),
        ...(nodes ? { nodes } : {}),
      };
    }
  }
}

/**
 * The test files for --only: each name must be a behaviour (a test file's name without .test.ts, or with
 * it, or its path). None selected means every cluster file.
 */
export function selectFiles(only: string[] | undefined, behaviours: Behaviour[]): string[] {
  if (!only) return [];
  const unknown: string[] = [];
  const files = only.map((wanted) => {
    const name = wanted.replace(/^(\.\/)?tests\//, '').replace(/\.test\.ts$/, '');
    const found = behaviours.find((b) => b.name === name);
    if (!found) unknown.push(wanted);
    return found?.file;
  }).filter((f): f is string => Boolean(f));
  if (unknown.length) {
    throw new UsageError(`unknown behaviour${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; ` +
      `the behaviours are: ${behaviours.map((b) => b.name).join(', ')}`);
  }
  return [...new Set(files)];
}

/**
 * The exit code of a run: 0 when every file ran and passed; 1 when tests ran and one failed; 2 when nothing
 * ran (Jest stopped in the global setup: bad configuration or a cluster it could not reach or bring up).
 */
export function exitCodeFor(outcome: { jestExitCode: number; testsRun: number; testsFailed: number }): number {
  if (outcome.testsRun === 0) return outcome.jestExitCode === 0 ? EXIT.passed : EXIT.usage;
  if (outcome.testsFailed > 0 || outcome.jestExitCode !== 0) return EXIT.failed;
  return EXIT.passed;
}

export function helpText(behaviours: Behaviour[]): string {
  const width = Math.max(...behaviours.map((b) => b.name.length), 10);
  return [
    'workload-conformance: proves on a live Kubernetes cluster that workloads behave as Kubernetes promises.',
    '',
    'usage: npx workload-conformance <command> [options]',
    '',
    'commands:',
    '  run      run behaviours (the cluster Jest suite) on a kind cluster, or an existing one',
    '             --only <a,b,...>         only these behaviours (names below)',
    '             --kubeconfig F --context C   an existing cluster (never created or deleted)',
    '             --repeat N               run the files N times on one cluster; list every failure by test and reason',
    '             --keep-cluster           keep the kind cluster afterwards',
    '             --reports DIR            where reports go (default reports/)',
    '             --parallel N             files at once (default WC_PARALLEL or 4; 1 = one after another)',
    '             --kubernetes V[,V...]    kind cluster at these Kubernetes versions (a minor, e.g. 1.35; default the newest',
    '                                      supported), one after another, each cluster deleted after; one column per version',
    `             --nodes N                kind cluster of N nodes: one control plane, N-1 workers (1 to ${MAX_NODES}; default the kind config's)`,
    '  audit    your own workload through every lifecycle check, live: start-up, redundancy; under load (every request',
    '           counted by cause) one pod\'s deletion (SIGTERM, grace period), a rolling restart, every pod\'s eviction (its',
    '           PodDisruptionBudget); resources (QoS, OOM kills); a scorecard (Markdown, JSON, JUnit, SVG timelines) in <reports>/audit-<name>/',
    '             -f, --file F             the workload\'s YAML (repeatable; plain multi-document YAML, e.g. helm template output):',
    '                                      its Deployment or StatefulSet with its Service, PodDisruptionBudget, HPA, ConfigMaps...',
    '             --workload NAME          which workload, when the files hold more than one',
    '             --path /P                the path requests go to (default: the liveness probe\'s HTTP path when on the served port, else /)',
    '             --kubeconfig F --context C   an existing cluster, kind or not: naming both is consent to audit there',
    '                                          (default: a kind cluster, made and removed as for run)',
    '             --pod-security LEVEL     restricted (default) or baseline, for a workload that cannot run restricted (said in the report)',
    '             --reports DIR            where reports go (default reports/)',
    '             --keep-cluster           keep the kind cluster afterwards',
    '             --drain-node             also on an existing cluster, drain one of the workload\'s nodes under load (cordon, evict',
    '                                      its pods, uncordon); on the kind cluster the audit runs, done whenever it has 2+ workers',
    '             --load-image IMG         load this image from the local Docker engine into the kind cluster (repeatable; kind only)',
    `             --rate N                 requests per second per connection mode (fresh, keep-alive) under load (default 50, at most ${MAX_AUDIT_RATE})`,
    '           the images must be on the cluster\'s nodes or pullable by them',
    '  up       bring the offline kind cluster up and keep it',
    '  down     delete the kind cluster (WC_CLUSTER_NAME)',
    '  sweep    delete namespaces left by earlier runs whose process is gone  [--kubeconfig F --context C]',
    '  report   print the last summary as a table, and where the timelines are  [--reports DIR]',
    '',
    'exit codes: 0 all passed, 1 a behaviour (or an audit check) failed, 2 bad input or the cluster could not be reached, 130 interrupted',
    'every WC_* variable (README) still applies; options win over them.',
    '',
    'behaviours:',
    ...behaviours.map((b) => `  ${b.name.padEnd(width)}  ${b.title}`),
  ].join('\n');
}
